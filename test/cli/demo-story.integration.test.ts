import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, post, stats } from '../support/http';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// `osprey start --demo` on a fresh data directory: the story the dashboard shows, through the API.
const MODEL = 'house-prices';
const dataDir = mkdtempSync(join(tmpdir(), 'osprey-demo-story-'));
const apiKey = `osp_test_demo_story_${Date.now()}`;
const env = { LOG_LEVEL: 'info', OSPREY_DETECTOR_INTERVAL_SECONDS: '5' };
let osprey: OspreyProcess;

interface Run {
  id: string;
  status: string;
  candidate_version: string;
  created_by: string;
  progress: { rows_done: number; rows_total: number };
  summary: Record<string, number | null> | null;
  verdict: { decision: string; checks: { name: string; pass: boolean | null }[] } | null;
}
interface Alert {
  rule: string | null;
  feature: string | null;
  state: string;
}
interface AlertEvent {
  rule: string;
  event: string;
  window: { from: string; to: string };
}
interface Rule {
  name: string;
  model: string;
}

const api = <T>(path: string) => getJson<T>(`${osprey.url}${path}`, apiKey);
const demoRuns = async () =>
  (await api<Run[]>(`/api/v1/models/${MODEL}/shadow-runs`)).filter((r) => r.created_by === 'demo');

async function startDemo(): Promise<{ process: OspreyProcess; seconds: number; total: number }> {
  const spawned = Date.now();
  const process = await startOsprey({ args: ['start', '--demo'], dataDir, apiKey, env });
  // The demo logs this once the shadow run finished and the detectors caught up with the day.
  let seconds = NaN;
  await eventually(
    async () => {
      const line = process
        .logs()
        .split('\n')
        .find((l) => l.includes('"demo story ready"'));
      if (line) seconds = (JSON.parse(line) as { seconds: number }).seconds;
      return line !== undefined;
    },
    75_000,
    'demo story ready',
  );
  return { process, seconds, total: (Date.now() - spawned) / 1000 };
}

beforeAll(async () => {
  const { process, seconds, total } = await startDemo();
  osprey = process;
  console.log(`demo story ready ${seconds} s after the demo started, ${total} s after spawning`);
  // The promise: a populated dashboard within a minute of `npm start`.
  expect(total).toBeLessThan(60);
}, 120_000);
afterAll(async () => {
  await osprey?.stop();
});

describe('osprey start --demo', () => {
  it('registers v1 and v2 and puts v1 in production for its initial release', async () => {
    const versions = await api<{ version: string; description: string }[]>(
      `/api/v1/models/${MODEL}/versions`,
    );
    expect(versions.map((v) => v.version)).toEqual(['v1', 'v2']);
    const production = await api<{ version: string; action: string; reason: string }>(
      `/v1/models/${MODEL}/production`,
    );
    expect(production).toMatchObject({
      version: 'v1',
      action: 'promote',
      reason: 'initial release',
    });
  });

  it('finished a shadow replay of the logged day through v2, with a verdict', async () => {
    const [run, ...others] = await demoRuns();
    expect(others).toEqual([]);
    expect(run).toMatchObject({ status: 'done', candidate_version: 'v2' });
    expect(run!.progress.rows_done).toBe(run!.progress.rows_total);
    expect(run!.progress.rows_total).toBeGreaterThan(30_000);
    expect(['promote', 'hold']).toContain(run!.verdict!.decision);
    expect(run!.summary).toMatchObject({ labelled: expect.any(Number) });
    expect(run!.summary!.labelled).toBeGreaterThan(10_000);
    // v1 is registered: the replay recomputed it beside v2, and its log is what it computes.
    const side = (run!.summary as Record<string, unknown>).side_by_side as {
      candidate: { version: string; rows: number };
      production: { version: string; rows: number };
      speedup: number | null;
      agreement: { recomputed_vs_logged: { compared: number; max_abs_diff: number } };
    };
    expect(side).toMatchObject({
      candidate: { version: 'v2', rows: run!.progress.rows_total },
      production: { version: 'v1', rows: run!.progress.rows_total },
      speedup: expect.any(Number),
    });
    expect(side.agreement.recomputed_vs_logged.compared).toBe(run!.progress.rows_total);
    expect(side.agreement.recomputed_vs_logged.max_abs_diff).toBeLessThan(1);
  });

  it('logs what the registered v1 model predicts: a replay of v1 against itself agrees', async () => {
    const from = new Date(Date.now() - 25 * 3_600_000).toISOString();
    const to = new Date().toISOString();
    const created = await post(
      `${osprey.url}/api/v1/models/${MODEL}/shadow-runs`,
      JSON.stringify({ candidate_version: 'v1', version: 'v1', from, to, limit: 2_000 }),
      { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    );
    expect(created.status).toBe(202);
    const url = `/api/v1/models/${MODEL}/shadow-runs/${created.json.id as string}`;
    let run: Run | undefined;
    await eventually(async () => (run = await api<Run>(url)).status === 'done', 20_000, 'v1 run');
    // Logged predictions are ONNX's float32 output rounded to whole currency units.
    expect(run!.summary!.abs_diff_max).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(run!.summary!.compared).toBeGreaterThan(1_900); // failed requests have no prediction
  });

  it('fires the drift alert on the drifting feature, and drift status says so', async () => {
    const firing = await api<Alert[]>(`/api/v1/alerts?state=firing&model=${MODEL}`);
    expect(firing).toContainEqual(
      expect.objectContaining({
        rule: 'Distance to centre drift',
        feature: 'distance_to_center_km',
      }),
    );
    const drift = await api<{
      reference: { reference_id: string; size: number };
      features: { feature: string; drift: boolean | null; statistics: { psi?: number | null } }[];
    }>(`/api/v1/models/${MODEL}/drift`);
    expect(drift.reference).toMatchObject({ reference_id: 'v1-validation', size: 5_000 });
    // The drifting feature stands far out on one statistic every feature has (PSI). Another may
    // cross its own verdict's threshold by chance in a partly filled live window — every test
    // has its false-positive rate — but not by far.
    const psi = (f: (typeof drift.features)[number]) => f.statistics.psi ?? 0;
    const [shifted, ...others] = [...drift.features].sort((a, b) => psi(b) - psi(a));
    expect(shifted).toMatchObject({ feature: 'distance_to_center_km', drift: true });
    expect(psi(shifted!)).toBeGreaterThan(1);
    for (const f of others) expect(psi(f)).toBeLessThan(psi(shifted!) / 5);
  });

  it('shows the latency spike in its hour, and its alert fired and resolved', async () => {
    const events = await api<AlertEvent[]>(`/api/v1/alerts/events?model=${MODEL}&limit=1000`);
    const fired = events.filter((e) => e.rule === 'p95 latency' && e.event === 'firing');
    expect(fired).toHaveLength(1);
    const spike = fired[0]!.window;
    const alerts = await api<Alert[]>(`/api/v1/alerts?model=${MODEL}`);
    expect(alerts).toContainEqual(
      expect.objectContaining({ rule: 'p95 latency', state: 'resolved' }),
    );
    const before = new Date(Date.parse(spike.from) - 3_600_000).toISOString();
    const [hour, normal] = await Promise.all([
      stats(osprey.url, apiKey, MODEL, spike.from, spike.to),
      stats(osprey.url, apiKey, MODEL, before, spike.from),
    ]);
    expect(hour.count).toBeGreaterThan(500);
    expect(hour.latency_ms.p95!).toBeGreaterThan(4 * normal.latency_ms.p95!);
    expect(hour.error_rate).toBeGreaterThan(0.05);
  });

  it('has performance from the labelled subset', async () => {
    const performance = await api<{ task: string; labelled: number; metrics: { mae: number } }>(
      `/api/v1/models/${MODEL}/performance`,
    );
    expect(performance).toMatchObject({ task: 'regression', metrics: { mae: expect.any(Number) } });
    expect(performance.labelled).toBeGreaterThan(100);
  });

  it('adds nothing on a restart over the same data directory', async () => {
    const count = async () =>
      (await api<{ model: string; events: number }[]>('/api/v1/models')).find(
        (m) => m.model === MODEL,
      )!.events;
    const rules = async () =>
      (await api<Rule[]>(`/api/v1/alert-rules?model=${MODEL}`)).map((r) => r.name).sort();
    const deployments = () => api<unknown[]>(`/api/v1/models/${MODEL}/deployments`);
    const before = { events: await count(), rules: await rules() };
    expect(before.rules).toEqual(['Distance to centre drift', 'Error rate', 'p95 latency']);

    await osprey.stop();
    const restarted = await startDemo();
    osprey = restarted.process;

    expect(await rules()).toEqual(before.rules);
    expect((await api<unknown[]>(`/api/v1/models/${MODEL}/versions`)).length).toBe(2);
    expect((await deployments()).length).toBe(1);
    expect((await demoRuns()).map((r) => r.status)).toEqual(['done']);
    // Live traffic only (about one request every two seconds), not a second day of history.
    expect((await count()) - before.events).toBeLessThan(5_000);
    const drift = await api<{ reference: { size: number } }>(`/api/v1/models/${MODEL}/drift`);
    expect(drift.reference.size).toBe(5_000);
    const firing = await api<Alert[]>(`/api/v1/alerts?state=firing&model=${MODEL}`);
    expect(firing.map((a) => a.rule)).toContain('Distance to centre drift');
  }, 90_000);
});
