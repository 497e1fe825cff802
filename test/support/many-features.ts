import { pastHour } from './fixtures';
import { api, postAll } from './upload';

/**
 * A model with as many features as the contract allows (2,000 per event): 1,000 numeric
 * (`n_0000`…) and 1,000 categorical (`c_0000`…), `c_0000` with 1,024-character values and the
 * last categorical one with a 256-character name (the longest the contract takes). A reference and three closed hours whose values follow the
 * reference exactly, except in the last hour: `n_0777` moves far (the most drifted feature) and
 * `c_0123` half-way to a new category.
 */
export const MANY_FEATURES = {
  numeric: 1_000,
  categorical: 1_000,
  referenceRows: 300,
  perWindow: 150,
  mostDrifted: 'n_0777',
  alsoDrifted: 'c_0123',
  longCategory: 'c_0000',
  longName: `c_0999_${'long_name_'.repeat(26)}`.slice(0, 256),
} as const;

const pad = (i: number) => String(i).padStart(4, '0');
const longValue = (k: number) =>
  `${'long-category-'.padEnd(1_022, String.fromCharCode(97 + k))}-${k}`;

/** How many features of each kind (the benchmark compares with a model of a few). */
export interface FeatureCounts {
  numeric: number;
  categorical: number;
}

function features(
  i: number,
  drift: boolean,
  counts: FeatureCounts,
): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (let f = 0; f < counts.numeric; f++) out[`n_${pad(f)}`] = (i * 37 + f * 11) % 100;
  for (let f = 0; f < counts.categorical; f++) {
    const name = f === MANY_FEATURES.categorical - 1 ? MANY_FEATURES.longName : `c_${pad(f)}`;
    out[name] = f === 0 ? longValue((i + f) % 4) : ['a', 'b', 'c', 'd'][(i + f) % 4]!;
  }
  if (drift && MANY_FEATURES.mostDrifted in out) {
    out[MANY_FEATURES.mostDrifted] = (out[MANY_FEATURES.mostDrifted] as number) + 500;
    if (i % 2 === 0) out[MANY_FEATURES.alsoDrifted] = 'new';
  }
  return out;
}

/** Logs the model (reference + three hours) and runs drift detection on each hour via the API. */
export async function logManyFeatureModel(
  osprey: { url: string; apiKey: string },
  model: string,
  counts: FeatureCounts = MANY_FEATURES,
): Promise<{ windows: { from: number; to: number }[] }> {
  // Events of 2,000 features are ~30 kB: small batches keep each request modest.
  const batch = 50;
  await postAll(
    osprey.url,
    osprey.apiKey,
    '/v1/reference',
    Array.from({ length: MANY_FEATURES.referenceRows }, (_, i) => ({
      model,
      version: 'v1',
      reference_id: 'validation',
      features: features(i, false, counts),
      prediction: i % 10,
    })),
    batch,
  );
  const windows = [pastHour(3), pastHour(2), pastHour(1)];
  for (const [k, w] of windows.entries()) {
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      Array.from({ length: MANY_FEATURES.perWindow }, (_, i) => ({
        model,
        version: 'v1',
        timestamp: w.from + i * 20_000,
        features: features(i, k === windows.length - 1, counts),
        prediction: i % 10,
        latency_ms: 5 + (i % 20),
      })),
      batch,
    );
  }
  for (const w of windows) {
    const res = await api(osprey.url, osprey.apiKey, 'POST', `/api/v1/models/${model}/detect`, {
      from: new Date(w.from).toISOString(),
      to: new Date(w.to).toISOString(),
    });
    if (res.status !== 200) throw new Error(`detect answered ${res.status}`);
  }
  return { windows };
}
