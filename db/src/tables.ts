/** Table names: the only place they are spelled. */
export const Tables = {
  schemaMigrations: 'schema_migrations',
  predictions: 'predictions',
  /** Null table writers insert predictions into; a materialized view moves them on (0030). */
  predictionsLanding: 'predictions_landing',
  /** Per-minute and per-hour rollups of predictions for the dashboard (0042–0047). */
  predictions1m: 'predictions_1m',
  predictions1h: 'predictions_1h',
  /** The same per configured segment tag key and value (0050–0054). */
  predictionsSegments1m: 'predictions_segments_1m',
  predictionsSegments1h: 'predictions_segments_1h',
  labels: 'labels',
  apiKeys: 'api_keys',
  auditLog: 'audit_log',
  ingestLedger: 'ingest_ledger',
  referenceRows: 'reference_rows',
  referenceRowsLanding: 'reference_rows_landing',
  modelSettings: 'model_settings',
  referenceProfiles: 'reference_profiles',
  /** A detector family's state fitted on a reference (0070). */
  referenceFits: 'reference_fits',
  detectorRuns: 'detector_runs',
  detectorResults: 'detector_results',
  alertRules: 'alert_rules',
  channels: 'channels',
  silences: 'silences',
  alertEvents: 'alert_events',
  alertStates: 'alert_states',
  deliveries: 'deliveries',
  notifications: 'notifications',
  modelVersions: 'model_versions',
  deployments: 'deployments',
  shadowRuns: 'shadow_runs',
  shadowResults: 'shadow_results',
  shadowBatches: 'shadow_batches',
  users: 'users',
  sessions: 'sessions',
  /** Vector features and text fields, one row per event and name (0080–0083, issue #18). */
  predictionEmbeddings: 'prediction_embeddings',
  referenceEmbeddings: 'reference_embeddings',
  predictionTexts: 'prediction_texts',
  referenceTexts: 'reference_texts',
  /** The dimension each (model, embedding name) was first logged with (0084). */
  embeddingDimensions: 'embedding_dimensions',
} as const;

/** Tables whose rows expire after OSPREY_RETENTION_DAYS. */
export const RETAINED_TABLES = [
  Tables.predictions,
  Tables.labels,
  Tables.predictions1m,
  Tables.predictions1h,
  Tables.predictionsSegments1m,
  Tables.predictionsSegments1h,
  Tables.predictionEmbeddings,
  Tables.predictionTexts,
] as const;
