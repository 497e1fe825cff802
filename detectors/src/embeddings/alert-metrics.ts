import type { MetricSample } from '../alerts/engine/metrics';
import type { EmbeddingDriftReport } from './detect-embeddings';

/** The alert metrics embedding drift gives, one sample per embedding name (the rule's feature). */
export const EMBEDDING_METRICS = ['drift.embedding', 'drift.embedding_score'] as const;

export function isEmbeddingMetric(metric: string): boolean {
  return (EMBEDDING_METRICS as readonly string[]).includes(metric);
}

/**
 * drift.embedding: 1 when an embedding's verdict is drift, 0 when not; drift.embedding_score:
 * the verdict method's value (e.g. the domain classifier's ROC AUC). null when not computed.
 */
export function embeddingSamples(metric: string, document: object | undefined): MetricSample[] {
  const report = document as Partial<EmbeddingDriftReport> | undefined;
  return (report?.embeddings ?? []).map((e) => ({
    feature: e.name,
    value:
      metric === 'drift.embedding'
        ? e.drift === null
          ? null
          : Number(e.drift)
        : typeof e.verdict.value === 'number' && Number.isFinite(e.verdict.value)
          ? e.verdict.value
          : null,
  }));
}
