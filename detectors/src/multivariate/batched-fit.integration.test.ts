import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceDatasetRows, referenceDatasetRowsOf, targetKey } from '../sql/rows';
import { fitReconstruction, fitReconstructionOf, type ReconstructionFit } from './fit';

// A batch's small references are fitted together (fitReconstructionOf: the moments summed as
// arrays, the blocks numbered per target); each must be the fit it gets alone.
const dir = mkdtempSync(join(tmpdir(), 'osprey-batched-pca-fit-'));
let store: Store;
const T0 = Date.UTC(2026, 0, 1);

/** Deterministic noise in [0, 1). */
const noise = (i: number, salt: number) => {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return x - Math.floor(x);
};

const references = {
  // numeric, categorical and boolean features, some rows missing one; more rows than MAX_BLOCKS
  mixed: {
    rows: 4_500,
    row: (i: number) => ({
      num_features: {
        a: noise(i, 1) * 10,
        b: noise(i, 1) * 5 + noise(i, 2),
        ...(i % 9 ? { c: noise(i, 3) - 0.5 } : {}),
      },
      cat_features: { colour: ['red', 'green', 'blue', 'grey'][Math.floor(noise(i, 4) * 4)]! },
      bool_features: { flag: noise(i, 5) < 0.3 },
    }),
  },
  // numeric features only, other names, several rows per timestamp
  numeric: {
    rows: 450,
    row: (i: number) => ({
      num_features: { x: noise(i, 6) * 100, y: noise(i, 6) * 50 + noise(i, 7) * 20, z: i % 7 },
      cat_features: {},
      bool_features: {},
    }),
  },
};
type Name = keyof typeof references;
const names = Object.keys(references) as Name[];

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  await store.insert(
    Tables.referenceRows,
    names.flatMap((model) =>
      Array.from({ length: references[model].rows }, (_, i) => ({
        model,
        version: 'v1',
        reference_id: 'ref',
        timestamp: T0 + (model === 'numeric' ? Math.floor(i / 3) : i),
        null_features: [],
        prediction_vec: [],
        tags: {},
        ...references[model].row(i),
      })),
    ),
  );
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** WᵀW, the projection onto the kept components: what a reconstruction uses, whatever the signs. */
function projection(fit: ReconstructionFit): number[] {
  const d = fit.basis.mean.length;
  const out: number[] = [];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++)
      out.push(fit.basis.components.reduce((a, w) => a + w[i]! * w[j]!, 0));
  return out;
}

const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));

describe('PCA fits of a batch', () => {
  it('equal each reference fitted alone', async () => {
    const rows = referenceDatasetRowsOf(
      'refs',
      names.map((model) => ({ scope: { model }, referenceId: 'ref' })),
    );
    const together = await fitReconstructionOf(
      store,
      rows,
      new Map(names.map((model) => [targetKey({ model }), references[model].rows])),
    );
    expect(together.size).toBe(2);
    for (const model of names) {
      const alone = (await fitReconstruction(
        store,
        referenceDatasetRows('ref', { model, referenceId: 'ref' }),
        references[model].rows,
      )) as ReconstructionFit;
      const fit = together.get(targetKey({ model })) as ReconstructionFit;
      expect(fit.preprocessing).toEqual(alone.preprocessing);
      expect(fit.basis.components).toHaveLength(alone.basis.components.length);
      projection(fit).forEach((v, k) => close(v, projection(alone)[k]!));
      fit.basis.explained_variance_ratio.forEach((v, k) =>
        close(v, alone.basis.explained_variance_ratio[k]!),
      );
      expect(fit.blocks.rows).toEqual(alone.blocks.rows);
      fit.blocks.sums.forEach((v, k) => close(v, alone.blocks.sums[k]!));
      close(fit.error_variance, alone.error_variance);
    }
    const [mixed, numeric] = names.map((m) => together.get(targetKey({ model: m }))!);
    expect((mixed as ReconstructionFit).preprocessing.categorical).toHaveLength(1);
    expect((numeric as ReconstructionFit).preprocessing.numeric.map((e) => e.name)).toEqual([
      'x',
      'y',
      'z',
    ]);
  });
});
