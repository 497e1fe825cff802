/** Table names: the only place they are spelled. */
export const Tables = {
  schemaMigrations: 'schema_migrations',
  predictions: 'predictions',
  labels: 'labels',
  apiKeys: 'api_keys',
  auditLog: 'audit_log',
  ingestLedger: 'ingest_ledger',
} as const;

/** Tables whose rows expire after OSPREY_RETENTION_DAYS. */
export const RETAINED_TABLES = [Tables.predictions, Tables.labels] as const;
