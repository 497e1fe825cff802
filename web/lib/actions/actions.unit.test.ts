import { afterEach, describe, expect, it, vi } from 'vitest';
import { callApi, describeError, fieldErrors } from './api-client';
import { niceTicks } from './ticks';

afterEach(() => vi.unstubAllGlobals());

const answer = (status: number, body: unknown) =>
  vi.stubGlobal('fetch', async () => Response.json(body, { status }));

describe('callApi', () => {
  it('names the field of a 400 (first path segment) and keeps the body', async () => {
    answer(400, { error: 'channels.0: no channel with id 5f0c' });
    const res = await callApi('POST', '/api/v1/alert-rules', { name: 'x' });
    expect(res).toMatchObject({ ok: false, status: 400, field: 'channels' });
    expect(res.error).toBe('channels.0: no channel with id 5f0c');
    expect(res.raw).toEqual({ error: 'channels.0: no channel with id 5f0c' });
  });

  it('has no field for a message that does not start with one', async () => {
    answer(403, { error: 'this needs the editor role; dana@example.com is viewer' });
    const res = await callApi('POST', '/api/v1/models/m/rollback', { reason: 'r' });
    expect(res.field).toBeUndefined();
    expect(describeError(res)).toBe(
      '403 Forbidden: this needs the editor role; dana@example.com is viewer',
    );
  });

  it('answers status 0 when nothing answers', async () => {
    vi.stubGlobal('fetch', async () => Promise.reject(new TypeError('fetch failed')));
    const res = await callApi('GET', '/api/v1/alerts');
    expect(res).toMatchObject({ ok: false, status: 0 });
    expect(describeError(res)).toBe('Osprey did not answer; is it running?');
  });

  it('sends JSON with a content type, FormData as it is', async () => {
    const seen: RequestInit[] = [];
    vi.stubGlobal('fetch', async (_p: string, init: RequestInit) => {
      seen.push(init);
      return Response.json({ ok: 1 }, { status: 201 });
    });
    expect(await callApi('POST', '/a', { a: 1 })).toEqual({
      ok: true,
      status: 201,
      data: { ok: 1 },
    });
    const form = new FormData();
    await callApi('POST', '/b', form);
    expect(seen[0]).toMatchObject({
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(seen[1]!.body).toBe(form);
    expect(seen[1]!.headers).toBeUndefined();
  });
});

describe('fieldErrors', () => {
  const refusal = (field: string | undefined, error: string, status = 400) => ({
    ok: false,
    status,
    field,
    error,
  });
  it('puts an error under the field the form has, through an alias', () => {
    expect(fieldErrors(refusal('to', 'to: must be after from'), ['from'], { to: 'from' })).toEqual({
      from: 'to: must be after from',
    });
  });
  it('puts an unknown field or a refusal without one on the whole form', () => {
    expect(fieldErrors(refusal('mode', 'mode: nope'), ['from'])).toEqual({
      form: '400: mode: nope',
    });
    expect(fieldErrors(refusal(undefined, 'no run 7', 404), ['from'])).toEqual({
      form: '404 Not found: no run 7',
    });
  });
});

describe('niceTicks', () => {
  it('covers the range in round steps', () => {
    expect(niceTicks(-40_726, 900_737)).toEqual([
      -200_000, 0, 200_000, 400_000, 600_000, 800_000, 1_000_000,
    ]);
    expect(niceTicks(0.013, 0.087, 4)).toEqual([0, 0.02, 0.04, 0.06, 0.08, 0.1]);
    expect(niceTicks(-3, 3, 6)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });
  it('answers one tick for an empty range and none for non-numbers', () => {
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });
});
