import type { ReferenceEvent } from '../contract/reference';
import { EMBEDDING_COLUMNS, embeddingValues, type EmbeddingValues } from './embedding-columns';
import { FEATURE_COLUMNS, splitFeatures, splitPrediction, type FeatureValues } from './features';

/** The `reference_rows` columns a row fills, in order (see db/migrations/0006_reference_rows.sql). */
export const REFERENCE_COLUMNS = [
  'model',
  'version',
  'reference_id',
  'timestamp',
  ...FEATURE_COLUMNS,
  'tags',
  'label_num',
  'label_str',
  ...EMBEDDING_COLUMNS,
] as const;

export const DEFAULT_REFERENCE_ID = 'default';

export type ReferenceRow = [
  model: string,
  version: string,
  reference_id: string,
  timestamp: number,
  ...FeatureValues,
  tags: Record<string, string>,
  label_num: number | null,
  label_str: string | null,
  ...([] | EmbeddingValues),
];

export function toReferenceRow(row: ReferenceEvent & { timestamp: number }): ReferenceRow {
  const f = splitFeatures(row.features);
  return [
    row.model,
    row.version,
    row.reference_id ?? DEFAULT_REFERENCE_ID,
    row.timestamp,
    f.num,
    f.cat,
    f.bool,
    f.nulls,
    ...splitPrediction(row.prediction),
    row.tags ?? {},
    typeof row.label === 'number' ? row.label : null,
    typeof row.label === 'string' ? row.label : null,
    ...embeddingValues(row),
  ];
}
