import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressPolicy } from './egress';
import { parseRetryAfter, postWebhook } from './webhook';

let hits: string[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const server = createServer((req, res) => {
  hits.push(req.url!);
  req.resume();
  req.on('end', () => respond(req, res));
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = (url: string, allow: string[], timeoutMs = 2_000) =>
  postWebhook({ url, body: '{}', headers: {}, timeoutMs, policy: new EgressPolicy(allow) });

describe('egress policy', () => {
  const policy = new EgressPolicy(['10.1.0.0/16', '192.168.7.7', 'hooks.internal']);
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
  ])('refuses %s (%s)', (address, range) => {
    expect(policy.refusal('example.com', address)).toContain(`(${range})`);
  });

  it('allows public addresses and what OSPREY_WEBHOOK_ALLOW lists', () => {
    expect(policy.refusal('example.com', '93.184.215.14')).toBeUndefined();
    expect(policy.refusal('example.com', '10.1.200.3')).toBeUndefined();
    expect(policy.refusal('example.com', '192.168.7.7')).toBeUndefined();
    expect(policy.refusal('example.com', '192.168.7.8')).toContain('private');
    expect(policy.refusal('hooks.internal', '10.9.9.9')).toBeUndefined();
  });
});

describe('postWebhook', () => {
  it('refuses loopback, by address literal and through a name that resolves to it', async () => {
    hits = [];
    const literal = await post(`http://127.0.0.1:${port}/a`, []);
    expect(literal).toMatchObject({ ok: false, permanent: true });
    expect(literal.error).toContain('OSPREY_WEBHOOK_ALLOW');
    const named = await post(`http://localhost:${port}/a`, []);
    expect(named).toMatchObject({ ok: false, permanent: true });
    expect(named.error).toContain('loopback');
    expect(hits).toEqual([]);
    expect(await post(`http://localhost:${port}/a`, ['localhost'])).toMatchObject({
      ok: true,
      code: 200,
    });
  });

  it('does not follow redirects', async () => {
    hits = [];
    respond = (_req, res) => res.writeHead(302, { location: '/elsewhere' }).end();
    const outcome = await post(`http://127.0.0.1:${port}/start`, ['127.0.0.1']);
    expect(outcome).toMatchObject({ ok: false, code: 302 });
    expect(outcome.permanent).toBeUndefined();
    expect(outcome.error).toContain('not followed');
    expect(hits).toEqual(['/start']);
  });

  it('410 disables, Retry-After is passed on, a silent receiver times out', async () => {
    respond = (_req, res) => res.writeHead(410).end();
    expect(await post(`http://127.0.0.1:${port}/`, ['127.0.0.1'])).toMatchObject({
      disable: true,
      code: 410,
    });
    respond = (_req, res) => res.writeHead(429, { 'retry-after': '7' }).end();
    expect(await post(`http://127.0.0.1:${port}/`, ['127.0.0.1'])).toMatchObject({
      code: 429,
      retryAfterMs: 7_000,
    });
    respond = () => undefined; // never answers
    const started = Date.now();
    const slow = await post(`http://127.0.0.1:${port}/`, ['127.0.0.1'], 300);
    expect(slow).toMatchObject({ ok: false, error: 'no answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sat, 31 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
