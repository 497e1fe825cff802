export type { InsertOptions, QueryParams, Store } from './store/store';
export { StoreError } from './store/store';
export { storeEnv, parseEnv, ConfigError, type StoreEnv } from './config';
export { Tables } from './tables';
export * from './queries/api-keys';
export * from './queries/audit';
export * from './queries/models';
export { runReadOnlySql } from './queries/readonly-sql';
export { ApiKeyVerifier, type Verification } from './auth/api-key-verifier';
