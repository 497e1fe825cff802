import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vectors } from './vectors';

/** Evidently 0.7's numbers for one scenario of detectors/fixtures/embedding_drift.py. */
export interface PeerScenario {
  reference: string;
  window: string;
  evidently: {
    euclidean: { value: number; drift: boolean; threshold: number };
    cosine: { value: number; drift: boolean; threshold: number };
    ratio: { value: number; drift: boolean; components: number[] };
    mmd: { value: number; drift: boolean };
    model: { value: number; drift: boolean; bootstrap: boolean };
  };
}

export interface EmbeddingFixtures {
  dim: number;
  vectors: Record<string, Vectors>;
  scenarios: Record<string, PeerScenario>;
}

/** The committed fixture, vectors decoded from float32 (test support). */
export function loadEmbeddingFixtures(): EmbeddingFixtures {
  const path = join(import.meta.dirname, '../../fixtures/embedding_drift.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as {
    dim: number;
    vectors: Record<string, { rows: number; data: string }>;
    scenarios: Record<string, PeerScenario>;
  };
  const vectors = Object.fromEntries(
    Object.entries(raw.vectors).map(([name, { rows, data }]) => {
      const bytes = Buffer.from(data, 'base64');
      const floats = new Float32Array(Uint8Array.from(bytes).buffer);
      return [name, { count: rows, dim: raw.dim, data: Float64Array.from(floats) }];
    }),
  );
  return { dim: raw.dim, vectors, scenarios: raw.scenarios };
}

/** The rows of a Vectors as arrays, e.g. to insert them. */
export function rowsOf(v: Vectors): number[][] {
  return Array.from({ length: v.count }, (_, i) =>
    Array.from(v.data.subarray(i * v.dim, (i + 1) * v.dim)),
  );
}
