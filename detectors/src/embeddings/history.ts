import { Tables, type Store } from '@osprey/db';
import { latestRunsOf, type HistoryScope } from '../results/history';
import type { EmbeddingDriftReport } from './detect-embeddings';

/** One window's embedding drift, per name, as the model page charts it. */
export interface EmbeddingDriftPoint {
  window_start: string;
  window_end: string;
  /** The verdict method (the same for every name of a window). */
  method: string;
  embeddings: {
    name: string;
    value: number | null;
    threshold: number | null;
    drift: boolean | null;
    rows: number;
    reason: string | null;
  }[];
}

/** The stored embedding drift of each window in the scope's range (latest run), oldest first. */
export async function embeddingDriftHistory(
  store: Store,
  scope: HistoryScope,
): Promise<EmbeddingDriftPoint[]> {
  const runs = await latestRunsOf(store, 'embedding_drift', scope);
  if (runs.windows.length === 0) return [];
  const docs = await store.query<{ document: string }>(
    `SELECT document FROM ${Tables.detectorRuns} WHERE ${runs.where} ORDER BY window_start`,
    runs.params,
  );
  return docs.map(({ document }) => {
    const d = JSON.parse(document) as EmbeddingDriftReport;
    return {
      window_start: d.window.from,
      window_end: d.window.to,
      method: d.method,
      embeddings: d.embeddings.map((e) => ({
        name: e.name,
        value: e.verdict.value,
        threshold: e.verdict.threshold,
        drift: e.drift,
        rows: e.current_size,
        reason: e.reason ?? null,
      })),
    };
  });
}
