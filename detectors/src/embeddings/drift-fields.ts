import type { Store } from '@osprey/db';
import { latestRun } from '../results/runs';
import type { Segment } from '../sql/rows';
import type { EmbeddingDrift, EmbeddingDriftReport } from './detect-embeddings';
import type { EmbeddingMethod } from './methods';

/** What GET …/drift adds to a window's drift document: its embeddings' drift (issue #18). */
export interface EmbeddingDriftFields {
  /** The verdict method; null when the window has no embedding drift run. */
  embedding_method: EmbeddingMethod | null;
  /** Per embedding name: every method's value, threshold and verdict, and the drift verdict. */
  embeddings: EmbeddingDrift[];
}

/** The stored embedding drift of the same window (and version, segment) as a drift document. */
export async function embeddingDriftFields(
  store: Store,
  opts: {
    model: string;
    window: { from: string; to: string };
    version?: string;
    segment?: Segment;
  },
): Promise<EmbeddingDriftFields> {
  const run = (await latestRun(store, {
    ...opts,
    detector: 'embedding_drift',
    window: { from: Date.parse(opts.window.from), to: Date.parse(opts.window.to) },
  })) as EmbeddingDriftReport | undefined;
  return { embedding_method: run?.method ?? null, embeddings: run?.embeddings ?? [] };
}
