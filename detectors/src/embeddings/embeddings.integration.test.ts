import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinSources } from '../alerts/engine/metrics';
import { previewRule } from '../alerts/engine/preview';
import { ruleInput } from '../alerts/rules/schema';
import { latestRun } from '../results/runs';
import { detectWindow } from '../run/detect';
import { modelSettings, saveSettings } from '../settings/model-settings';
import { detectEmbeddingDrift, type EmbeddingDriftReport } from './detect-embeddings';
import { embeddingDriftFields } from './drift-fields';
import { loadEmbeddingFixtures, rowsOf } from './fixtures';
import type { Vectors } from './vectors';

// Evidently 0.7.23's embedding drift methods on synthetic vectors (detectors/fixtures/
// embedding_drift.py): each scenario's reference is logged as reference dataset "emb" of its own
// model and its window vectors as predictions' embeddings "query" in one hourly window.
const { vectors, scenarios } = loadEmbeddingFixtures();
const HOUR = 3_600_000;
const start = Math.floor(Date.now() / HOUR) * HOUR - 12 * HOUR;
const windowOf = (i: number) => ({ from: start + i * HOUR, to: start + (i + 1) * HOUR });
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const settings = modelSettings.parse({ reference: { source: 'dataset', reference_id: 'emb' } });

const dir = mkdtempSync(join(tmpdir(), 'osprey-embeddings-'));
let store: Store;

async function logReference(model: string, v: Vectors, name = 'query'): Promise<void> {
  await store.insert(
    Tables.referenceEmbeddings,
    rowsOf(v).map((vector, i) => ({
      model,
      version: 'v1',
      reference_id: 'emb',
      timestamp: iso(start - 30 * 24 * HOUR + i * 1000),
      name,
      vector,
    })),
  );
}

async function logWindow(model: string, v: Vectors, window = 0, name = 'query'): Promise<void> {
  await store.insert(
    Tables.predictionEmbeddings,
    rowsOf(v).map((vector, i) => ({
      event_id: crypto.randomUUID(),
      timestamp: iso(windowOf(window).from + i * 1000),
      model,
      version: 'v1',
      name,
      vector,
    })),
  );
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  for (const [name, s] of Object.entries(scenarios)) {
    await logReference(`emb-${name}`, vectors[s.reference]!);
    await logWindow(`emb-${name}`, vectors[s.window]!);
  }
}, 120_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const detect = (model: string, window = windowOf(0)) =>
  detectEmbeddingDrift(store, settings, { model, window });

/**
 * Each known shift and what each method says of it (the same as Evidently's verdicts): a mean
 * shift and a new cluster move the means, the marginals and the rows; a rotation about the mean
 * in two planes of unequal spread leaves the means (distances, and a linear classifier, see
 * nothing) but changes 4 of 16 marginals (ratio 6/16 with noise) and the joint law (MMD).
 */
const VERDICTS: Record<string, Record<string, boolean>> = {
  same: {
    distance_euclidean: false,
    distance_cosine: false,
    ratio: false,
    mmd: false,
    domain_classifier: false,
  },
  mean_shift: {
    distance_euclidean: true,
    distance_cosine: true,
    ratio: true,
    mmd: true,
    domain_classifier: true,
  },
  new_cluster: {
    distance_euclidean: true,
    distance_cosine: true,
    ratio: true,
    mmd: true,
    domain_classifier: true,
  },
  rotated: {
    distance_euclidean: false,
    distance_cosine: false,
    ratio: true,
    mmd: true,
    domain_classifier: false,
  },
  large: {
    distance_euclidean: true,
    distance_cosine: true,
    ratio: true,
    mmd: true,
    domain_classifier: true,
  },
};

describe.each(Object.entries(scenarios))(
  'embedding drift against Evidently 0.7.23: %s',
  (name, s) => {
    let report: EmbeddingDriftReport;
    beforeAll(async () => {
      report = (await detect(`emb-${name}`)).document;
    }, 60_000);

    it('computes every method, the domain classifier as the verdict', () => {
      expect(report.reference).toMatchObject({ source: 'dataset', reference_id: 'emb' });
      expect(report.embeddings.map((e) => e.name)).toEqual(['query']);
      const e = report.embeddings[0]!;
      expect(e).toMatchObject({
        dimension: 16,
        reference_size: vectors[s.reference]!.count,
        current_size: vectors[s.window]!.count,
      });
      expect(e.verdict.method).toBe('domain_classifier');
      expect(e.drift).toBe(e.methods!.domain_classifier.drift);
    });

    it('states each method’s verdict on the known shift', () => {
      const m = report.embeddings[0]!.methods!;
      const said = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.drift]));
      expect(said).toEqual(VERDICTS[name]);
    });

    it('matches Evidently: means’ distances 1e-9, ratio equal, MMD² 1e-9, classifier AUC ±0.05, verdicts equal', () => {
      const m = report.embeddings[0]!.methods!;
      const e = s.evidently;
      expect(m.distance_euclidean.value!).toBeCloseTo(e.euclidean.value, 9);
      expect(m.distance_cosine.value!).toBeCloseTo(e.cosine.value, 9);
      expect(m.distance_euclidean.drift).toBe(e.euclidean.drift);
      expect(m.distance_cosine.drift).toBe(e.cosine.drift);
      expect(m.ratio.value).toBe(e.ratio.value);
      expect(m.ratio.drift).toBe(e.ratio.drift);
      // Every fixture side has ≤ 1,000 rows except "large" (1,500 / 1,200): there MMD takes 1,000
      // sampled rows a side where Evidently takes all, and the unbiased estimate moves by its noise.
      const tolerance = name === 'large' ? 5e-3 : 1e-9;
      expect(Math.abs(m.mmd.value! - e.mmd.value)).toBeLessThanOrEqual(tolerance);
      expect(m.mmd.drift).toBe(e.mmd.drift);
      expect(Math.abs(m.domain_classifier.value! - e.model.value)).toBeLessThan(0.05);
      expect(m.domain_classifier.drift).toBe(e.model.drift);
      expect(m.domain_classifier.threshold_kind).toBe(
        e.model.bootstrap ? 'random_scores_quantile' : 'constant',
      );
    });
  },
);

describe('embedding drift in a window’s detection', () => {
  const model = 'emb-mean_shift';

  it('stores the fit once per reference and name, and reuses it', async () => {
    const fits = async () =>
      Number(
        (
          await store.query<{ n: string }>(
            `SELECT count() AS n FROM ${Tables.referenceFits} WHERE model = {model:String} AND family = 'embedding_drift'`,
            { model },
          )
        )[0]!.n,
      );
    expect(await fits()).toBe(1);
    const again = await detect(model);
    expect(await fits()).toBe(1);
    expect(again.document.embeddings[0]!.drift).toBe(true);
  });

  it('is one of detectWindow’s runs: results per method, the alert metrics, a rule preview', async () => {
    await saveSettings(
      store,
      model,
      { reference: { source: 'dataset', reference_id: 'emb' } },
      'test',
    );
    const detection = await detectWindow(store, { model, window: windowOf(0) });
    const doc = detection.embedding_drift as EmbeddingDriftReport;
    expect(doc.embeddings[0]!.drift).toBe(true);
    const stored = (await latestRun(store, {
      model,
      detector: 'embedding_drift',
    })) as EmbeddingDriftReport;
    expect(stored.embeddings[0]!.verdict).toEqual(doc.embeddings[0]!.verdict);
    const results = await store.query<{
      statistic: string;
      is_verdict: boolean;
      status: string;
      target: string;
    }>(
      `SELECT statistic, is_verdict, status, target FROM ${Tables.detectorResults}
       WHERE model = {model:String} AND detector = 'embedding_drift' ORDER BY statistic`,
      { model },
    );
    expect(results.map((r) => r.statistic)).toEqual([
      'distance_cosine',
      'distance_euclidean',
      'domain_classifier',
      'mmd',
      'ratio',
    ]);
    expect(results.filter((r) => r.is_verdict)).toEqual([
      { statistic: 'domain_classifier', is_verdict: true, status: 'drift', target: 'embedding' },
    ]);

    const source = builtinSources().get('drift')!;
    expect(await source({ store, metric: 'drift.embedding', detection })).toEqual([
      { feature: 'query', value: 1 },
    ]);
    const [score] = await source({ store, metric: 'drift.embedding_score', detection });
    expect(score).toEqual({
      feature: 'query',
      value: doc.embeddings[0]!.methods!.domain_classifier.value,
    });
    // Feature drift is unchanged: the model has no scalar features, so no drift samples.
    expect(await source({ store, metric: 'drift.verdict', detection })).toEqual([]);

    const preview = await previewRule(
      store,
      builtinSources(),
      ruleInput.parse({
        name: 'query drifts',
        model,
        metric: 'drift.embedding',
        feature: 'query',
        op: '==',
        threshold: 1,
      }),
      { from: windowOf(0).from, to: windowOf(1).to },
    );
    expect(preview).toMatchObject({ windows: 1, fired: 1 });

    // GET …/drift's fields: the same window's embeddings; none for a window never detected.
    const fields = await embeddingDriftFields(store, { model, window: detection.drift.window });
    expect(fields).toEqual({ embedding_method: 'domain_classifier', embeddings: doc.embeddings });
    const later = {
      from: new Date(windowOf(5).from).toISOString(),
      to: new Date(windowOf(5).to).toISOString(),
    };
    expect(await embeddingDriftFields(store, { model, window: later })).toEqual({
      embedding_method: null,
      embeddings: [],
    });
  });

  it('says why per name: another dimension in the window, without costing the other names', async () => {
    const model = 'emb-dims';
    await logReference(model, vectors.reference!);
    await logReference(model, vectors.reference!, 'title');
    await logWindow(model, vectors.same_window!);
    const short = { count: 2, dim: 8, data: new Float64Array(16).fill(0.5) };
    await logWindow(model, short, 0, 'title');
    const { document, rows } = await detect(model);
    const [query, title] = document.embeddings;
    expect(query).toMatchObject({ name: 'query', drift: false });
    expect(title).toMatchObject({ name: 'title', drift: null, methods: null });
    expect(title!.reason).toBe("the window's vectors have 8 to 8 dimensions, the reference's 16");
    expect(rows.filter((r) => r.feature === 'title')).toEqual([
      expect.objectContaining({ statistic: 'domain_classifier', status: 'unknown', value: null }),
    ]);
  });

  it('takes the verdict method from the model settings', async () => {
    const { document, rows } = await detectEmbeddingDrift(
      store,
      modelSettings.parse({ ...settings, embeddings: { method: 'distance_euclidean' } }),
      { model: 'emb-rotated', window: windowOf(0) },
    );
    expect(document.method).toBe('distance_euclidean');
    // The rotation keeps the means: by their distance, no drift (the classifier says the same).
    expect(document.embeddings[0]).toMatchObject({
      drift: false,
      verdict: { method: 'distance_euclidean' },
    });
    expect(rows.filter((r) => r.is_verdict).map((r) => r.statistic)).toEqual([
      'distance_euclidean',
    ]);
    const ratio = await detectEmbeddingDrift(
      store,
      modelSettings.parse({ ...settings, embeddings: { method: 'ratio' } }),
      { model: 'emb-rotated', window: windowOf(0) },
    );
    expect(ratio.document.embeddings[0]!.drift).toBe(true);
    expect(() => modelSettings.parse({ embeddings: { method: 'pca' } })).toThrow(
      /must be one of domain_classifier, distance_euclidean, distance_cosine, ratio, mmd/,
    );
  });

  it('reads only vectors of the registered dimension when the model has one', async () => {
    const model = 'emb-claimed';
    await store.insert(Tables.embeddingDimensions, [{ model, name: 'query', dimension: 16 }]);
    await logReference(model, vectors.reference!);
    await logWindow(model, vectors.mean_shift_window!);
    // A batch of another length, as a replica that lost the race for the first claim stores it.
    await logWindow(model, { count: 3, dim: 8, data: new Float64Array(24).fill(0.5) });
    const { document } = await detect(model);
    expect(document.embeddings[0]).toMatchObject({
      name: 'query',
      dimension: 16,
      reference_size: 800,
      current_size: 600,
      drift: true,
    });
    expect(document.embeddings[0]!.methods!.distance_euclidean.value!).toBeCloseTo(
      scenarios.mean_shift!.evidently.euclidean.value,
      9,
    );
  });

  it('compares with the previous window when there is no dataset, without storing that fit', async () => {
    const model = 'emb-previous';
    await logWindow(model, vectors.reference!, 0);
    await logWindow(model, vectors.mean_shift_window!, 1);
    const { document } = await detectEmbeddingDrift(store, modelSettings.parse({}), {
      model,
      window: windowOf(1),
    });
    expect(document.reference).toMatchObject({ source: 'previous_window' });
    expect(document.embeddings[0]).toMatchObject({
      reference_size: 800,
      current_size: 600,
      drift: true,
    });
    const [fits] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${Tables.referenceFits} WHERE model = {model:String}`,
      { model },
    );
    expect(Number(fits!.n)).toBe(0);
  });

  it('says why there is nothing: no embeddings, no reference, a segment', async () => {
    const none = await detect('emb-nothing');
    expect(none.document).toMatchObject({ embeddings: [], reason: 'no embeddings in the window' });
    expect(none.rows).toEqual([]);
    const segment = await detectEmbeddingDrift(store, settings, {
      model: 'emb-same',
      window: windowOf(0),
      segment: { key: 'region', value: 'eu' },
    });
    expect(segment.document.reason).toBe('embedding drift is per model, not per segment');
  });
});
