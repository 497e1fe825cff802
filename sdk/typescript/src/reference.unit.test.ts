import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acceptAll, freePort, unavailableOnce, type Responder } from '../test/fake-collector';
import { testHarness } from '../test/harness';
import { OspreyError, type OspreyOptions, type ReferenceRow } from './index';

const API_KEY = 'osk_live_REFERENCE_SECRET_77';
const PATH = '/v1/reference';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fast = { retryBaseDelayMs: 10, retryMaxDelayMs: 50 } satisfies Partial<OspreyOptions>;

const { collectorWith, client } = testHarness(API_KEY, fast);

function row(i: number): ReferenceRow {
  return { features: { amount: i, country: i % 2 ? 'FR' : 'DE', is_new: i % 3 === 0 } };
}

function rows(n: number): ReferenceRow[] {
  return Array.from({ length: n }, (_, i) => row(i));
}

/** Accepts every row except those whose `features.bad` is true, which it rejects by batch index. */
const rejectBad: Responder = (req) => {
  const rejected = req.events.flatMap((e, index) =>
    (e.features as Record<string, unknown>).bad === true
      ? [{ index, error: 'features.bad: refused by the collector' }]
      : [],
  );
  return { status: 200, body: { accepted: req.events.length - rejected.length, rejected } };
};

const amounts = (events: Record<string, unknown>[]) =>
  events.map((e) => (e.features as { amount: number }).amount);

describe('logReference', () => {
  it('sends gzipped batches of batchRows rows, all under one generated reference id', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url);
    const upload = await osprey.logReference('fraud-model', 'v3', rows(12), { batchRows: 5 });

    expect(upload.referenceId).toMatch(UUID_V4);
    expect(upload).toEqual({ referenceId: upload.referenceId, accepted: 12, rejected: [] });
    expect(collector.requests.map((r) => [r.path, r.events.length])).toEqual([
      [PATH, 5],
      [PATH, 5],
      [PATH, 2],
    ]);
    const [first] = collector.requests;
    expect(first!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(first!.headers['content-encoding']).toBe('gzip');
    expect(first!.headers['content-type']).toBe('application/json');
    expect(amounts(collector.received(PATH))).toEqual([...Array(12).keys()]);
    for (const event of collector.received(PATH)) {
      expect(event.reference_id).toBe(upload.referenceId);
    }
    // log()'s queue and counters are not involved
    expect(collector.received()).toHaveLength(0);
    expect(osprey.stats()).toMatchObject({ sent: 0, queued: 0, inFlight: 0, retries: 0 });
  });

  it("sends a row's label, a number or a class name; null is none and anything else refused", async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url);
    const input = [
      { ...row(0), label: 1 },
      { ...row(1), label: 'churned' },
      { ...row(2), label: null },
      { ...row(3), label: Number.NaN },
      { ...row(4), label: { class: 1 } },
      { ...row(5), label: 'x'.repeat(1025) },
    ] as ReferenceRow[];
    const upload = await osprey.logReference('m', 'v1', input);

    const problem = 'label: must be a finite number or a string of at most 1024 characters';
    expect(upload.rejected).toEqual([
      { index: 3, error: problem },
      { index: 4, error: problem },
      { index: 5, error: problem },
    ]);
    expect(collector.received(PATH).map((e) => [amounts([e])[0], e.label])).toEqual([
      [0, 1],
      [1, 'churned'],
      [2, undefined],
    ]);
    expect('label' in collector.received(PATH)[2]!).toBe(false);
  });

  it('sends exactly the contract fields, copied and checked like log()', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url);
    const upload = await osprey.logReference(
      'churn.v2_model-a',
      '2024-06-01',
      [
        {
          features: { age: 42, plan: 'pro', active: true, score: NaN, gone: undefined, none: null },
          prediction: new Float32Array([0.25, 0.75]),
          tags: { split: 'validation' },
          ...({ extra: 'not in the contract', timestamp: 'not sent' } as object),
        },
        { features: {}, prediction: 'cat' },
        { features: { x: 1 }, prediction: null },
      ],
      { referenceId: 'train-2024:06.01_a' },
    );
    expect(upload).toEqual({ referenceId: 'train-2024:06.01_a', accepted: 3, rejected: [] });
    expect(collector.received(PATH)).toEqual([
      {
        model: 'churn.v2_model-a',
        version: '2024-06-01',
        reference_id: 'train-2024:06.01_a',
        features: { age: 42, plan: 'pro', active: true, score: null, none: null },
        prediction: [0.25, 0.75],
        tags: { split: 'validation' },
      },
      {
        model: 'churn.v2_model-a',
        version: '2024-06-01',
        reference_id: 'train-2024:06.01_a',
        features: {},
        prediction: 'cat',
      },
      {
        model: 'churn.v2_model-a',
        version: '2024-06-01',
        reference_id: 'train-2024:06.01_a',
        features: { x: 1 },
      },
    ]);
  });

  it('defaults to 5,000 rows a batch', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url);
    const upload = await osprey.logReference('m', 'v1', rows(12_001));
    expect(upload.accepted).toBe(12_001);
    expect(collector.requests.map((r) => r.events.length)).toEqual([5000, 5000, 2001]);
  });

  it('keeps every batch under maxBatchBytes, cutting by size before sending', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url, { maxBatchBytes: 2000 });
    const wide = Array.from({ length: 60 }, (_, i) => ({
      features: { amount: i, note: 'x'.repeat(100) },
      prediction: [0.1, 0.2],
    }));
    const upload = await osprey.logReference('m', 'v1', wide, { batchRows: 1000 });
    expect(upload.accepted).toBe(60);
    expect(collector.requests.length).toBeGreaterThan(3);
    expect(collector.requests.every((r) => r.status === 200)).toBe(true); // no 413, no halving
    for (const r of collector.requests) {
      const bytes = Buffer.byteLength(JSON.stringify(r.events));
      expect(bytes).toBeLessThanOrEqual(2000);
      // all but the last batch are full: one more row (< 200 bytes) would have gone over
      if (r !== collector.requests.at(-1)) expect(bytes).toBeGreaterThan(2000 - 200);
    }
    expect(amounts(collector.received(PATH))).toEqual([...Array(60).keys()]);
  });

  it('reports rows refused here and by the collector by their index in the whole upload', async () => {
    const collector = await collectorWith(rejectBad);
    const { osprey } = client(collector.url);
    const input: unknown[] = rows(23);
    input[2] = { ...row(2), features: { amount: [1, 2] } }; // refused here
    input[6] = { ...row(6), features: { ...row(6).features, bad: true } }; // by the collector
    input[9] = { prediction: 1 }; // no features
    input[12] = { ...row(12), features: { ...row(12).features, bad: true } };
    input[13] = { ...row(13), prediction: { not: 'a prediction' } };
    input[17] = null;
    input[21] = { ...row(21), features: { ...row(21).features, bad: true } };
    input[22] = { ...row(22), tags: { team: 7 } };

    const upload = await osprey.logReference('m', 'v1', input as ReferenceRow[], {
      batchRows: 4,
    });

    expect(upload.rejected).toEqual([
      { index: 2, error: 'features.amount: must be a number, string, boolean or null' },
      { index: 6, error: 'features.bad: refused by the collector' },
      { index: 9, error: 'features: required, an object of feature name to value' },
      { index: 12, error: 'features.bad: refused by the collector' },
      {
        index: 13,
        error:
          'prediction: must be a finite number, a string or an array of at most 4096 finite numbers',
      },
      { index: 17, error: 'row: must be an object' },
      { index: 21, error: 'features.bad: refused by the collector' },
      { index: 22, error: 'tags.team: must be a string of at most 1024 characters' },
    ]);
    expect(upload.accepted).toBe(23 - 8);
    // rows refused here were not sent; the others were, in order, in batches of 4
    const sent = [...Array(23).keys()].filter((i) => ![2, 9, 13, 17, 22].includes(i));
    expect(amounts(collector.received(PATH))).toEqual(sent);
    expect(collector.requests.map((r) => r.events.length)).toEqual([4, 4, 4, 4, 2]);
  });

  it('waits for Retry-After on a 503, then sends the batch once more and goes on', async () => {
    const collector = await collectorWith(unavailableOnce(1));
    const { osprey, errors } = client(collector.url);
    const start = Date.now();
    const upload = await osprey.logReference('m', 'v1', rows(9), { batchRows: 3 });
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
    expect(collector.requests[2]!.events).toEqual(collector.requests[1]!.events);
    expect(collector.requests.map((r) => [r.events.length, r.status])).toEqual([
      [3, 200],
      [3, 503],
      [3, 200],
      [3, 200],
    ]);
    expect(upload).toMatchObject({ accepted: 9, rejected: [] });
    expect(amounts(collector.accepted(PATH))).toEqual([...Array(9).keys()]);
    expect(errors.map((e) => [e.kind, e.message])).toEqual([
      [
        'retrying',
        'sending 3 reference rows failed (503: storage is unavailable); retrying in 1000 ms',
      ],
    ]);
  });

  it('retries while the collector is not listening, and delivers once it is', async () => {
    const port = await freePort();
    const { osprey, errors } = client(`http://127.0.0.1:${port}`);
    const uploading = osprey.logReference('m', 'v1', rows(7));
    await new Promise((r) => setTimeout(r, 300));
    expect(errors.some((e) => e.kind === 'retrying' && /ECONNREFUSED/.test(e.message))).toBe(true);
    const collector = await collectorWith(acceptAll, port);
    expect(await uploading).toMatchObject({ accepted: 7, rejected: [] });
    expect(amounts(collector.received(PATH))).toEqual([...Array(7).keys()]);
  });

  it('splits a batch answered 413 and maps rejections in each half back to the upload', async () => {
    const collector = await collectorWith((req, n) =>
      req.events.length > 3 ? { status: 413 } : rejectBad(req, n),
    );
    const { osprey } = client(collector.url);
    const input = rows(10);
    input[1] = { features: { amount: 1, bad: true } };
    input[8] = { features: { amount: 8, bad: true } };
    const upload = await osprey.logReference('m', 'v1', input, { batchRows: 10 });
    // 10 -> 413; 5 -> 413; 3 + 2; 5 -> 413; 3 + 2
    expect(collector.requests.map((r) => [r.events.length, r.status])).toEqual([
      [10, 413],
      [5, 413],
      [3, 200],
      [2, 200],
      [5, 413],
      [3, 200],
      [2, 200],
    ]);
    expect(upload.accepted).toBe(8);
    expect(upload.rejected.map((r) => r.index)).toEqual([1, 8]);
    expect(amounts(collector.accepted(PATH))).toEqual([...Array(10).keys()]);
  });

  it('rejects once retries run out, and reads and sends nothing after the failed batch', async () => {
    const collector = await collectorWith((req, n) =>
      n === 0 ? acceptAll(req, n) : { status: 503, body: { error: 'storage is unavailable' } },
    );
    const { osprey } = client(collector.url, { maxRetryDurationMs: 150 });
    let read = 0;
    function* generate() {
      for (let i = 0; i < 100; i++) {
        read++;
        yield row(i);
      }
    }
    const failure = await osprey
      .logReference('m', 'v1', generate(), { batchRows: 10, referenceId: 'ref-1' })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(OspreyError);
    const err = failure as OspreyError;
    expect(err.kind).toBe('failed');
    expect(err.status).toBe(503);
    expect(err.count).toBe(10);
    expect(err.message).toBe(
      'logReference(m, v1): reference_id ref-1: rows 10-19 could not be delivered: still failing ' +
        'after 150 ms of retries (503: storage is unavailable); the 10 rows accepted before are ' +
        'stored under this reference_id; upload the whole dataset again to replace them',
    );
    expect(collector.requests.length).toBeGreaterThan(2); // it did retry
    expect(new Set(collector.requests.slice(1).map((r) => amounts(r.events)[0]))).toEqual(
      new Set([10]),
    );
    expect(read).toBeLessThanOrEqual(21); // the batch that failed, and at most the row after it
  });

  it('does not retry a 401, and keeps the API key out of the error', async () => {
    const collector = await collectorWith(() => ({
      status: 401,
      body: { error: `invalid API key ${API_KEY}` },
    }));
    const { osprey } = client(collector.url);
    const err = (await osprey.logReference('m', 'v1', rows(3)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(OspreyError);
    expect(collector.requests).toHaveLength(1);
    expect((err as OspreyError).status).toBe(401);
    expect(err.message).toMatch(
      /rows 0-2 could not be delivered: 401: invalid API key \[redacted\] \(check the API key and that it may ingest\); no row of this upload was stored$/,
    );
    expect(`${err.message}\n${err.stack}`).not.toContain(API_KEY);
  });

  it('reads async iterables', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url);
    async function* generate() {
      for (let i = 0; i < 7; i++) {
        await new Promise((r) => setImmediate(r));
        yield row(i);
      }
    }
    const upload = await osprey.logReference('m', 'v1', generate(), { batchRows: 3 });
    expect(upload).toMatchObject({ accepted: 7, rejected: [] });
    expect(collector.requests.map((r) => r.events.length)).toEqual([3, 3, 1]);
  });

  it('sends nothing for an empty upload and reports a row over maxBatchBytes without sending it', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url, { maxBatchBytes: 500 });
    expect(await osprey.logReference('m', 'v1', [])).toMatchObject({ accepted: 0, rejected: [] });
    expect(collector.requests).toHaveLength(0);
    const upload = await osprey.logReference('m', 'v1', [
      row(0),
      { features: { big: 'x'.repeat(600) } },
      row(2),
    ]);
    expect(upload.accepted).toBe(2);
    expect(upload.rejected).toEqual([
      {
        index: 1,
        error: expect.stringMatching(/^row: \d+ bytes of JSON, more than maxBatchBytes/),
      },
    ]);
    expect(amounts(collector.received(PATH))).toEqual([0, 2]);
  });

  it('refuses a bad model, version, reference id, batchRows or rows, and a closed client', async () => {
    const collector = await collectorWith();
    const { osprey } = client(collector.url);
    await expect(osprey.logReference('has space', 'v1', rows(1))).rejects.toThrow(
      /^Osprey.logReference: model: must be 1-128 characters/,
    );
    await expect(osprey.logReference('m', '', rows(1))).rejects.toThrow(/version: must be/);
    await expect(
      osprey.logReference('m', 'v1', rows(1), { referenceId: 'no/slashes' }),
    ).rejects.toThrow(/reference_id: must be 1-128 characters of A-Z a-z 0-9 _ \. : -/);
    await expect(osprey.logReference('m', 'v1', rows(1), { batchRows: 0 })).rejects.toThrow(
      TypeError,
    );
    await expect(osprey.logReference('m', 'v1', 42 as unknown as ReferenceRow[])).rejects.toThrow(
      /rows must be an iterable/,
    );
    expect(collector.requests).toHaveLength(0);
    await osprey.close();
    await expect(osprey.logReference('m', 'v1', rows(1))).rejects.toMatchObject({
      kind: 'closed',
    });
  });

  it('keeps the process alive while it waits to retry, until the awaited upload is done', async () => {
    const collector = await collectorWith((req, n) =>
      n === 0 ? { status: 503, headers: { 'retry-after': '1' } } : acceptAll(req, n),
    );
    const fixture = fileURLToPath(
      new URL('../test/fixtures/reference-and-exit.ts', import.meta.url),
    );
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
          env: { ...process.env, OSPREY_URL: collector.url },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error('the process did not exit within 10 s'));
        }, 10_000);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve({ code: exitCode, stdout: out });
        });
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ referenceId: 'exit-ref', accepted: 3, rejected: [] });
    expect(collector.requests.map((r) => r.status)).toEqual([503, 200]);
  });
});
