import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesAndOsprey, pastHour, readFixture } from '../support/fixtures';
import type { OspreyProcess } from '../support/osprey-process';
import { api, detectOne, postAll } from '../support/upload';

// Drift statistics computed by Osprey (ClickHouse + TypeScript) against numpy/scipy on the same
// data (detectors/fixtures/generate_fixtures.py). Tolerances:
// - exact statistics (KS statistic, Wasserstein, chi-square, z-test, and the binned ones, whose
//   bin edges are numpy's linear quantiles in both): 1e-6 relative;
// - KS p-value: 1e-6 relative where both use the exact distribution (max(n, m) <= 10,000);
//   above that both use the finite-n distribution kstwo(round(nm/(n+m))) (Osprey's port in
//   detectors/src/drift/kolmogorov-n.ts): 1e-6 relative too, checked where p > 1e-12 (below,
//   both are "zero" for any decision).
interface Expected {
  kind: string;
  method: string;
  threshold: number;
  drift: boolean;
  ks_method?: string;
  [statistic: string]: unknown;
}
interface DriftCase {
  name: string;
  reference: { features: Record<string, unknown>; prediction: unknown }[];
  current: { features: Record<string, unknown>; prediction: unknown }[];
  expected: { features: Record<string, Expected>; prediction: Expected; dataset_drift: boolean };
}
interface FeatureDrift {
  feature: string;
  kind: string;
  method: string;
  threshold: number;
  drift: boolean;
  statistics: Record<string, number | null>;
  reference_size: number;
  current_size: number;
}

const EXACT = [
  'ks_statistic',
  'wasserstein_norm',
  'psi',
  'jensen_shannon',
  'hellinger',
  'chi2_statistic',
  'chi2_p_value',
  'l_infinity',
  'z_p_value',
];

let osprey: OspreyProcess;
let cases: DriftCase[];
const HOUR = 3_600_000;
const window = pastHour(2);

beforeAll(async () => {
  const started = await fixturesAndOsprey();
  osprey = started.osprey;
  const { dir } = started;
  cases = readFixture<DriftCase[]>(dir, 'drift_cases.json');
  for (const c of cases) {
    const model = `drift-${c.name.replaceAll('_', '-')}`;
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/reference',
      c.reference.map((r) => ({ model, version: 'v1', reference_id: 'fixture', ...r })),
    );
    const step = HOUR / (c.current.length + 1);
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      c.current.map((r, i) => ({
        model,
        version: 'v1',
        timestamp: Math.floor(window.from + (i + 1) * step),
        ...r,
      })),
    );
  }
}, 300_000);
afterAll(async () => {
  await osprey?.stop();
});

function close(actual: number | null | undefined, expected: unknown, what: string, rel = 1e-6) {
  if (expected === 'inf') {
    expect(actual, what).toBeNull(); // an infinite statistic is reported as null
    return;
  }
  expect(typeof actual, what).toBe('number');
  const e = expected as number;
  const tolerance = Math.max(Math.abs(e) * rel, 1e-12);
  expect(Math.abs(actual! - e), `${what}: ${actual} vs scipy ${e}`).toBeLessThanOrEqual(tolerance);
}

function compare(actual: FeatureDrift, expected: Expected, label: string) {
  expect(actual.kind, label).toBe(expected.kind);
  for (const statistic of EXACT) {
    if (statistic in expected)
      close(actual.statistics[statistic], expected[statistic], `${label} ${statistic}`);
  }
  if (expected.kind === 'numeric') {
    const p = expected.ks_p_value as number;
    if (expected.ks_method === 'exact')
      close(actual.statistics.ks_p_value, p, `${label} ks_p_value`);
    else if (p > 1e-12) close(actual.statistics.ks_p_value, p, `${label} ks_p_value`);
  }
  expect(
    { method: actual.method, threshold: actual.threshold, drift: actual.drift },
    label,
  ).toEqual({
    method: expected.method,
    threshold: expected.threshold,
    drift: expected.drift,
  });
}

describe('drift against scipy', () => {
  it.each(['small_no_drift', 'small_strong_drift', 'large_no_drift', 'large_strong_drift'])(
    '%s: every statistic and verdict matches',
    async (name) => {
      const c = cases.find((x) => x.name === name)!;
      const model = `drift-${name.replaceAll('_', '-')}`;
      const { status, body } = await detectOne<{
        drift: {
          window: { from: string; to: string };
          dataset_drift: boolean;
          reference: { source: string; size: number };
          features: FeatureDrift[];
          prediction: FeatureDrift;
        };
      }>(osprey.url, osprey.apiKey, model, {
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
      });
      expect(status).toBe(200);
      const { drift } = body;
      expect(drift.window).toEqual({
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
      });
      expect(drift.reference).toMatchObject({ source: 'dataset', size: c.reference.length });
      expect(drift.features.map((f) => f.feature).sort()).toEqual(
        Object.keys(c.expected.features).sort(),
      );
      for (const f of drift.features) {
        expect(f.reference_size, f.feature).toBe(c.reference.length);
        expect(f.current_size, f.feature).toBe(c.current.length);
        compare(f, c.expected.features[f.feature]!, `${name} ${f.feature}`);
      }
      compare(drift.prediction, c.expected.prediction, `${name} prediction`);
      expect(drift.dataset_drift).toBe(c.expected.dataset_drift);
    },
    120_000,
  );

  it.each([
    ['large_no_drift', false],
    ['large_strong_drift', true],
  ])(
    '%s with thresholds calibrated on the reference: Jensen–Shannon at mean + 3σ',
    async (name, expected) => {
      const model = `drift-${name.replaceAll('_', '-')}`;
      const put = await api(osprey.url, osprey.apiKey, 'PUT', `/api/v1/models/${model}/settings`, {
        drift: { calibrate: true },
      });
      expect(put.status).toBe(200);
      const { body } = await detectOne<{
        drift: {
          dataset_drift: boolean;
          features: (FeatureDrift & { threshold_calibrated: boolean })[];
        };
      }>(osprey.url, osprey.apiKey, model, {
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
      });
      for (const f of body.drift.features) {
        expect(f, f.feature).toMatchObject({
          method: 'jensen_shannon',
          threshold_calibrated: true,
          drift: expected,
        });
        // Tenths of 20,000 rows differ from the whole by a few hundredths at most.
        expect(f.threshold, f.feature).toBeGreaterThan(0);
        expect(f.threshold, f.feature).toBeLessThan(0.1);
      }
      expect(body.drift.dataset_drift).toBe(expected);
    },
  );

  it.each(['large_no_drift', 'large_strong_drift'])(
    "%s from fine reference buckets: KS and Wasserstein within the buckets' resolution",
    async (name) => {
      const c = cases.find((x) => x.name === name)!;
      const model = `drift-${name.replaceAll('_', '-')}`;
      const put = await api(osprey.url, osprey.apiKey, 'PUT', `/api/v1/models/${model}/settings`, {
        drift: { ecdf: 'buckets' },
      });
      expect(put.status).toBe(200);
      const { body } = await detectOne<{
        drift: {
          ecdf: string;
          dataset_drift: boolean;
          features: FeatureDrift[];
          prediction: FeatureDrift;
        };
      }>(osprey.url, osprey.apiKey, model, {
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
      });
      expect(body.drift.ecdf).toBe('buckets');
      const numeric = [...body.drift.features, body.drift.prediction].filter(
        (f) => f.kind === 'numeric',
      );
      expect(numeric.length).toBeGreaterThan(0);
      for (const f of numeric) {
        const e =
          f.feature === 'prediction' ? c.expected.prediction : c.expected.features[f.feature]!;
        const label = `${name} ${f.feature}`;
        // KS: exact at every bucket boundary, so off by at most one bucket's mass (~1/1000 of the
        // reference here); Wasserstein: exact per bucket unless the two CDFs cross inside one.
        expect(
          Math.abs(f.statistics.ks_statistic! - (e.ks_statistic as number)),
          label,
        ).toBeLessThan(0.003);
        // Wasserstein is in units of the reference's standard deviation; its threshold is 0.1.
        const w = e.wasserstein_norm as number;
        expect(
          Math.abs(f.statistics.wasserstein_norm! - w),
          `${label} wasserstein_norm: ${f.statistics.wasserstein_norm} vs scipy ${w}`,
        ).toBeLessThan(0.001 + 0.005 * w);
        for (const binned of ['psi', 'jensen_shannon', 'hellinger'])
          close(f.statistics[binned], e[binned], `${label} ${binned}`);
        expect({ method: f.method, drift: f.drift }, label).toEqual({
          method: e.method,
          drift: e.drift,
        });
      }
      expect(body.drift.dataset_drift).toBe(c.expected.dataset_drift);
    },
  );
});
