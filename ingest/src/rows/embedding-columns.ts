/**
 * The landing tables' columns for vectors and texts (db/migrations/0085, 0088), after a row's other
 * columns. Their views move them into the embedding and text tables in the row's own insert.
 * Written only when the event has vectors or texts: most rows have neither and stay as they were
 * (inserts allow a row to stop before them, InsertOptions.trailingColumnsOptional).
 */
export const EMBEDDING_COLUMNS = ['embeddings', 'texts'] as const;

export type EmbeddingValues = [embeddings: Record<string, number[]>, texts: Record<string, string>];

/** The trailing values for an event, or none when it has neither vectors nor texts. */
export function embeddingValues(event: {
  embeddings?: Record<string, number[]>;
  text?: Record<string, string>;
}): EmbeddingValues | [] {
  if (event.embeddings === undefined && event.text === undefined) return [];
  return [event.embeddings ?? {}, event.text ?? {}];
}
