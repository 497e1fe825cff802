/**
 * The contract's size limits, in one place: the schemas, the docs (docs/security.md) and the SDKs
 * follow these. They keep one event from costing the store, the detectors or the dashboard more
 * than a wide tabular model needs.
 */
export const LIMITS = {
  /** Features per event (wide tabular models have hundreds; 2,000 leaves room). */
  featuresPerEvent: 2000,
  /** Characters in a feature or tag name. */
  nameLength: 256,
  /** Characters in a string feature value, a string prediction or a string label. */
  stringValueLength: 1024,
  /** Tags per event. */
  tagsPerEvent: 64,
  /** Characters in a tag value. */
  tagValueLength: 1024,
  /** Characters in a model or version name. */
  modelNameLength: 128,
  /** Numbers in a vector prediction. */
  predictionVectorLength: 4096,
  /** Characters in an `error` text. */
  errorLength: 4096,
  /** Characters in a request_id. */
  requestIdLength: 256,
  /** Numbers in one embedding (sentence encoders give 384-1,536; 4,096 covers the large ones). */
  embeddingDimension: 4096,
  /** Embeddings per event (a query and a document, a few towers: 16 leaves room). */
  embeddingsPerEvent: 16,
  /** Text fields per event. */
  textsPerEvent: 16,
  /** Characters (UTF-16 code units) in one text field: a long prompt or a page of a document. */
  textLength: 10_000,
} as const;

/**
 * Object keys that JavaScript treats as the prototype: an object built by assignment silently
 * drops them, so they are refused by name rather than lost somewhere downstream.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__']);
