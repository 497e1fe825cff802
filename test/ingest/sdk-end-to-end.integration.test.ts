import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Osprey } from '@osprey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../support/events';
import { quantileExactLow, stats } from '../support/http';
import { sqlRows } from '../support/osprey-cli';
import { REPO_ROOT, freePort, startOsprey, type OspreyProcess } from '../support/osprey-process';

// Both SDKs against a real `osprey start`: what they send is what the read API computes.
let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey();
});
afterAll(async () => {
  await osprey?.stop();
});

const python = () =>
  existsSync(join(REPO_ROOT, '.venv/bin/python')) ? join(REPO_ROOT, '.venv/bin/python') : 'python3';

function expectStats(
  actual: Awaited<ReturnType<typeof stats>>,
  latencies: number[],
  errors: number,
) {
  expect(actual.count).toBe(latencies.length);
  expect(actual.errors).toBe(errors);
  expect(actual.error_rate).toBeCloseTo(errors / latencies.length, 12);
  expect(actual.latency_ms).toEqual({
    p50: quantileExactLow(latencies, 0.5),
    p95: quantileExactLow(latencies, 0.95),
    p99: quantileExactLow(latencies, 0.99),
  });
}

describe('SDKs end to end', () => {
  it('stores 10,000 events logged through the TypeScript SDK, with exact stats', async () => {
    const model = `ts-sdk-${Date.now()}`;
    const rand = mulberry32(11);
    const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey, flushIntervalMs: 100 });
    const latencies: number[] = [];
    let errors = 0;
    // Recent, hour-aligned times (older ones would fall to the retention TTL).
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    for (let i = 0; i < 10_000; i++) {
      const latency = Math.round(rand() * 100_000) / 1000;
      const failed = rand() < 0.03;
      latencies.push(latency);
      if (failed) errors++;
      client.log({
        model,
        version: i % 2 ? 'v1' : 'v2',
        timestamp: start + i * 1000,
        features: { a: rand(), b: rand() < 0.5 ? 'x' : 'y', c: rand() < 0.5, d: null },
        ...(failed ? { error: 'upstream timeout' } : { prediction: rand() }),
        latency_ms: latency,
      });
    }
    await client.close();
    expect(client.stats()).toMatchObject({
      sent: 10_000,
      dropped: 0,
      failed: 0,
      rejected: 0,
      invalid: 0,
    });

    const window = await stats(
      osprey.url,
      osprey.apiKey,
      model,
      iso(start),
      iso(start + 10_000_000),
    );
    expectStats(window, latencies, errors);
    expect(window.throughput_per_min).toBeCloseTo(10_000 / (10_000 / 60), 9);
    // The window is half-open: the first hour alone holds exactly 3,600 events.
    expect(
      (await stats(osprey.url, osprey.apiKey, model, iso(start), iso(start + 3_600_000))).count,
    ).toBe(3_600);
  });

  it('stores 1,000 events logged through the Python SDK, with exact stats', async () => {
    const model = `py-sdk-${Date.now()}`;
    const { stdout } = await promisify(execFile)(
      python(),
      [
        join(REPO_ROOT, 'sdk/python/scripts/send_events.py'),
        '--url',
        osprey.url,
        '--api-key',
        osprey.apiKey,
        '--model',
        model,
        '--version',
        'v1',
        '--count',
        '1000',
        '--seed',
        '5',
      ],
      { env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'sdk/python') } },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      sent: number;
      dropped: number;
      failed: number;
      latencies_ms: number[];
      errors: number;
    };
    expect(report).toMatchObject({ sent: 1_000, dropped: 0, failed: 0 });
    expectStats(await stats(osprey.url, osprey.apiKey, model), report.latencies_ms, report.errors);
  });

  it('loses nothing when the collector is down at first and comes up later', async () => {
    const port = await freePort();
    const model = `late-collector-${Date.now()}`;
    const client = new Osprey({
      url: `http://127.0.0.1:${port}`,
      apiKey: 'osp_late_collector_key_0001',
      retryBaseDelayMs: 50,
      retryMaxDelayMs: 500,
      onError: () => {},
    });
    for (let i = 0; i < 3_000; i++)
      client.log({ model, version: 'v1', features: { i }, prediction: i, latency_ms: 1 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(client.stats().sent).toBe(0);
    expect(client.stats().retries).toBeGreaterThan(0);
    const late = await startOsprey({ port, apiKey: 'osp_late_collector_key_0001' });
    try {
      await client.close(30_000);
      expect(client.stats()).toMatchObject({ sent: 3_000, dropped: 0, failed: 0 });
      expect((await stats(late.url, late.apiKey, model)).count).toBe(3_000);
    } finally {
      await late.stop();
    }
  });

  // Last: it stops the shared server to read its store.
  it('stores a labelled reference from both SDKs: numbers and class names apart, none as null', async () => {
    const model = `labelled-ref-${Date.now()}`;
    const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
    const upload = await client.logReference(model, 'ts', [
      { features: { x: 1 }, prediction: 0.9, label: 1 },
      { features: { x: 2 }, prediction: 'b', label: 'churned' },
      { features: { x: 3 }, prediction: 0.2 },
    ]);
    await client.close();
    expect(upload).toMatchObject({ accepted: 3, rejected: [] });
    const script = [
      'import json, sys, pandas as pd',
      'from osprey import Osprey',
      'frame = pd.DataFrame({"x": [4.0, 5.0], "score": [0.7, 0.1], "truth": [0.0, None]})',
      'with Osprey(sys.argv[1], sys.argv[2]) as c:',
      '    u = c.log_reference(sys.argv[3], "py", frame, prediction_column="score", label_column="truth")',
      'print(json.dumps([u.accepted, u.rejected]))',
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      python(),
      ['-c', script, osprey.url, osprey.apiKey, model],
      { env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'sdk/python') } },
    );
    expect(JSON.parse(stdout.trim())).toEqual([2, []]);
    // The collector names a bad label and keeps the rest of the batch.
    const res = await fetch(`${osprey.url}/v1/reference`, {
      method: 'POST',
      headers: { authorization: `Bearer ${osprey.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { model, version: 'raw', features: { x: 6 }, label: { class: 1 } },
        { model, version: 'raw', features: { x: 7 }, label: 0 },
      ]),
    });
    expect(await res.json()).toEqual({
      accepted: 1,
      rejected: [{ index: 0, error: 'label: must be a number or a string' }],
    });

    await osprey.stop(); // chDB opens a data directory in one process only
    expect(
      await sqlRows(
        osprey.dataDir,
        `SELECT version, num_features['x'], ifNull(toString(label_num), 'null'), ifNull(label_str, 'null')
         FROM reference_rows WHERE model = '${model}' ORDER BY num_features['x']`,
      ),
    ).toEqual([
      ['ts', '1', '1', 'null'],
      ['ts', '2', 'null', 'churned'],
      ['ts', '3', 'null', 'null'],
      ['py', '4', '0', 'null'],
      ['py', '5', 'null', 'null'],
      ['raw', '7', '0', 'null'],
    ]);
  });
});
