import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, stats } from '../support/http';
import { sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Rows 1, 8, 9 and 10 of the hardening issue, each sent exactly as the issue names it to a real
// `osprey start`, with the other clients' and the other events' data counted as stored.
let osprey: OspreyProcess;
const RUN = Date.now().toString(36);

beforeAll(async () => {
  osprey = await startOsprey();
});
afterAll(async () => {
  if (osprey?.child.exitCode === null) await osprey.stop();
});

const headers = () => ({
  authorization: `Bearer ${osprey.apiKey}`,
  'content-type': 'application/json',
});
const send = (path: string, body: unknown) =>
  post(`${osprey.url}${path}`, JSON.stringify(body), headers());
const event = (model: string, i: number, extra: Record<string, unknown> = {}) => ({
  model,
  version: 'v1',
  features: { x: i, c: 'a' },
  prediction: i,
  ...extra,
});
// What JavaScript's '😀 smile'.slice(0, 1) is: a lone high surrogate. JSON.stringify writes it as
// the escape `\ud83d`, exactly what a careless client sends.
const LONE = '😀 smile'.slice(0, 1);

describe('hostile input at the collector', () => {
  it('row 1: lone surrogates in every field are stored as U+FFFD; 29 other clients sharing the insert lose nothing', async () => {
    const model = `surrogates-${RUN}`;
    const poisoned = event(model, 0, {
      version: `v${LONE}x`,
      features: { [`f${LONE}`]: `a${LONE}`, x: 1 },
      prediction: `label${LONE}`,
      tags: { [`t${LONE}`]: `v${LONE}` },
      request_id: `req-${RUN}-${LONE}`,
    });
    expect(JSON.stringify(poisoned)).toContain('\\ud83d');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, client) =>
        send(
          '/v1/predictions',
          Array.from({ length: 10 }, (_, i) =>
            client === 0 && i === 3 ? poisoned : event(model, client * 10 + i),
          ),
        ),
      ),
    );
    for (const a of answers)
      expect(a).toMatchObject({ status: 200, json: { accepted: 10, rejected: [] } });
    const label = await send('/v1/labels', {
      model,
      request_id: `req-${RUN}-${LONE}`,
      label: `truth${LONE}`,
    });
    expect(label).toMatchObject({ status: 200, json: { accepted: 1, rejected: [] } });
    const reference = await send('/v1/reference', [
      { model, version: 'v1', features: { [`f${LONE}`]: LONE }, prediction: LONE, label: LONE },
      { model, version: 'v1', features: { x: 2 }, prediction: 2 },
    ]);
    expect(reference).toMatchObject({ status: 200, json: { accepted: 2, rejected: [] } });
    expect((await stats(osprey.url, osprey.apiKey, model)).count).toBe(300);
  });

  it('row 8: 10,000 features, 1 MB strings and labels are refused naming the limit; neighbours stored', async () => {
    const model = `wide-${RUN}`;
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]));
    const mb = 'x'.repeat(1024 * 1024);
    const res = await send('/v1/predictions', [
      event(model, 0),
      event(model, 1, { features: wide }),
      event(model, 2, { features: { s: mb } }),
      event(model, 3, { prediction: mb }),
      event(model, 4, { features: { [`n${'x'.repeat(300)}`]: 1 } }),
      event(model, 5),
    ]);
    expect(res).toMatchObject({
      status: 200,
      json: {
        accepted: 2,
        rejected: [
          { index: 1, error: 'features: must have at most 2000 entries' },
          { index: 2, error: 'features.s: must be at most 1024 characters' },
          { index: 3, error: 'prediction: must be at most 1024 characters' },
          { index: 4, error: 'features: feature names are at most 256 characters' },
        ],
      },
    });
    const label = await send('/v1/labels', [
      { model, request_id: 'r1', label: mb },
      { model, request_id: 'r2', label: 1 },
    ]);
    expect(label.json).toEqual({
      accepted: 1,
      rejected: [{ index: 0, error: 'label: must be at most 1024 characters' }],
    });
    expect((await stats(osprey.url, osprey.apiKey, model)).count).toBe(2);
  });

  it('row 9: a feature named __proto__ is refused with the reason, never silently lost', async () => {
    const model = `proto-${RUN}`;
    const body = `[${JSON.stringify(event(model, 0))},{"model":"${model}","version":"v1","features":{"__proto__":1,"a":2},"prediction":1},{"model":"${model}","version":"v1","features":{"a":1},"tags":{"__proto__":"x"},"prediction":1}]`;
    const res = await post(`${osprey.url}/v1/predictions`, body, headers());
    expect(res.json).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, error: "features.__proto__: '__proto__' is a reserved name" },
        { index: 2, error: "tags.__proto__: '__proto__' is a reserved name" },
      ],
    });
    expect((await stats(osprey.url, osprey.apiKey, model)).count).toBe(1);
  });

  it('row 10: a far-future timestamp, dot-only names, 1e309 and a repeated event_id are refused', async () => {
    const model = `odd-${RUN}`;
    const id = '6f1c8f0e-1d2b-4c3a-9e8f-0a1b2c3d4e5f';
    const body = `[${[
      JSON.stringify(event(model, 0, { event_id: id })),
      JSON.stringify(event(model, 1, { timestamp: '2999-01-01T00:00:00Z' })),
      JSON.stringify(event('.', 2)),
      JSON.stringify(event('..', 3)),
      JSON.stringify(event(model, 4, { version: '..' })),
      `{"model":"${model}","version":"v1","features":{"x":1e309},"prediction":1}`,
      `{"model":"${model}","version":"v1","features":{"x":1},"prediction":-1e309}`,
      JSON.stringify(event(model, 7, { event_id: id })),
      JSON.stringify(
        event(model, 8, { timestamp: new Date(Date.now() + 30 * 60_000).toISOString() }),
      ),
    ].join(',')}]`;
    const res = await post(`${osprey.url}/v1/predictions`, body, headers());
    const finite = 'must be a finite number (not NaN or ±Infinity)';
    expect(res.json).toEqual({
      accepted: 2,
      rejected: [
        {
          index: 1,
          error:
            "timestamp: is more than 3600 s ahead of the collector's clock (OSPREY_MAX_CLOCK_SKEW)",
        },
        {
          index: 2,
          error: 'model: must be 1-128 characters of A-Z a-z 0-9 _ . - and not dots alone',
        },
        {
          index: 3,
          error: 'model: must be 1-128 characters of A-Z a-z 0-9 _ . - and not dots alone',
        },
        { index: 4, error: 'version: must not be dots alone nor hold control characters' },
        { index: 5, error: `features.x: ${finite}` },
        { index: 6, error: `prediction: ${finite}` },
        { index: 7, error: "event_id: the same as event 0's in this batch" },
      ],
    });
    expect((await stats(osprey.url, osprey.apiKey, model)).count).toBe(2);
  });

  it('stored every accepted event with its text as sent, lone surrogates as U+FFFD', async () => {
    expect(osprey.child.exitCode).toBeNull(); // alive through all of the above
    await osprey.stop();
    const model = `surrogates-${RUN}`;
    const [prediction] = await sqlRows(
      osprey.dataDir,
      `SELECT version, cat_features, prediction_label, tags, request_id FROM predictions WHERE model = '${model}' AND version != 'v1'`,
    );
    expect(prediction).toEqual([
      'v\ufffdx',
      '{"f\ufffd":"a\ufffd"}',
      'label\ufffd',
      '{"t\ufffd":"v\ufffd"}',
      `req-${RUN}-\ufffd`,
    ]);
    expect(
      await sqlRows(osprey.dataDir, `SELECT label_str FROM labels WHERE model = '${model}'`),
    ).toEqual([['truth\ufffd']]);
    const reference = await sqlRows(
      osprey.dataDir,
      `SELECT cat_features, ifNull(prediction_label, 'none'), ifNull(label_str, 'none') FROM reference_rows WHERE model = '${model}' ORDER BY prediction_label NULLS LAST`,
    );
    expect(reference).toEqual([
      ['{"f\ufffd":"\ufffd"}', '\ufffd', '\ufffd'],
      ['{}', 'none', 'none'],
    ]);
  });
});
