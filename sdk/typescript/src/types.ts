import type { OspreyError } from './errors';

/** A feature value as the collector stores it. Non-finite numbers are sent as null. */
export type FeatureValue = number | string | boolean | null;

/** What a model predicted: a number, a class name, or a vector (arrays and typed arrays). */
export type Prediction = number | string | readonly number[] | ArrayLike<number>;

/** One vector feature: an array or a typed array of numbers (stored as float32). */
export type Embedding = readonly number[] | ArrayLike<number>;

/** One prediction, as given to `log()`. */
export interface PredictionEvent {
  /** 1-128 characters of A-Z a-z 0-9 _ . - */
  model: string;
  /** 1-128 characters. */
  version: string;
  /** Feature name to value. Copied at `log()` time, so the caller may reuse the object. */
  features?: Record<string, FeatureValue | undefined>;
  /**
   * Vector features by name (arrays or typed arrays, e.g. a Float32Array from the encoder): at
   * most 16, each of 1-4096 finite float32 numbers, copied at `log()` time. A name keeps the
   * dimension of the first vector logged under it; the collector refuses any other.
   */
  embeddings?: Record<string, Embedding>;
  /** Text fields by name (a prompt, a query): at most 16, each cut to 10,000 characters. */
  text?: Record<string, string>;
  /** Required unless `error` is set. */
  prediction?: Prediction;
  /** How long the prediction took, >= 0. */
  latency_ms?: number;
  /** The prediction failed with this message (truncated to 4096 characters). */
  error?: string;
  tags?: Record<string, string>;
  /** Your own request id; labels can be joined on it. */
  request_id?: string;
  /** A UUID; generated with crypto.randomUUID() when absent. */
  event_id?: string;
  /** Epoch milliseconds, a Date or ISO-8601 text; the time of the `log()` call when absent. */
  timestamp?: number | Date | string;
}

/** One row of a reference dataset, as given to `logReference()`. */
export interface ReferenceRow {
  /** Feature name to value, like `PredictionEvent.features`. Required. */
  features: Record<string, FeatureValue | undefined>;
  /** Vector features, like `PredictionEvent.embeddings`; `null` counts as none. */
  embeddings?: Record<string, Embedding> | null;
  /** Text fields, like `PredictionEvent.text`; `null` counts as none. */
  text?: Record<string, string> | null;
  /** What the model predicted for this row, if known; `null` counts as none. */
  prediction?: Prediction | null;
  /**
   * The row's ground truth, when the reference is labelled data (e.g. a validation set): lets
   * Osprey estimate performance before production labels arrive. `null` counts as none.
   */
  label?: number | string | null;
  tags?: Record<string, string>;
}

export interface LogReferenceOptions {
  /** Names the upload: 1-128 characters of A-Z a-z 0-9 _ . : - (default: a new UUID). */
  referenceId?: string;
  /** Rows per request at most (default 5000); batches also stay under `maxBatchBytes`. */
  batchRows?: number;
}

/** What `logReference()` resolves to. */
export interface ReferenceUpload {
  /** The id every row of the upload was sent with. */
  referenceId: string;
  /** Rows the collector stored. */
  accepted: number;
  /** Rows refused, here or by the collector, by their index in the rows given; never re-sent. */
  rejected: { index: number; error: string }[];
}

/** Ground truth for an earlier prediction, joined on `event_id` or `request_id`. */
export interface LabelEvent {
  model: string;
  label: number | string;
  event_id?: string;
  request_id?: string;
  timestamp?: number | Date | string;
}

export interface OspreyOptions {
  /** The collector's base URL, e.g. `http://localhost:4318`. */
  url: string;
  /** An ingest API key; sent as `Authorization: Bearer <apiKey>` and never logged. */
  apiKey: string;
  /** Send a batch when this many events are queued (default 500). */
  maxBatchSize?: number;
  /** Send what is queued at least this often (default 1000 ms). */
  flushIntervalMs?: number;
  /** Events held at most, queued and in flight together; new events are dropped beyond it (default 10 000). */
  maxBufferSize?: number;
  /** Requests in flight at once, per endpoint (default 2). */
  maxConcurrentRequests?: number;
  /** One request's time limit (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** A batch is retried for this long before it is given up and counted as failed (default 10 min). */
  maxRetryDurationMs?: number;
  /** First retry delay ceiling; doubles with each attempt, full jitter (default 200 ms). */
  retryBaseDelayMs?: number;
  /** Largest retry delay ceiling (default 30 000 ms). */
  retryMaxDelayMs?: number;
  /** A batch whose JSON is larger than this is split before it is sent (default 4 MiB). */
  maxBatchBytes?: number;
  /** Flush on `process.once('beforeExit')` (default true). */
  flushOnExit?: boolean;
  /** Called for invalid events, drops, retries and failures; never with the API key in it.
   *  Default: one `console.warn` per 30 s at most. */
  onError?: (err: OspreyError) => void;
}

export interface OspreyStats {
  /** Events buffered and not yet in a request. */
  queued: number;
  /** Events in a request or waiting to retry one. */
  inFlight: number;
  /** Events the collector accepted. */
  sent: number;
  /** Events not buffered because the buffer was full or the client closed. */
  dropped: number;
  /** Events the collector refused as invalid (never retried). */
  rejected: number;
  /** Events given up: non-retryable answer or retries exhausted. */
  failed: number;
  /** Events `log()`/`logLabel()` refused as malformed before buffering. */
  invalid: number;
  /** Requests re-sent after a retryable failure. */
  retries: number;
}

/** How `wrap()` turns a call into an event. */
export interface WrapOptions<A extends unknown[], R> {
  /** Features from the call's arguments (default: the first argument). */
  features?: (...args: A) => Record<string, FeatureValue | undefined>;
  /** The prediction from the result (default: the result itself, awaited when it is a promise). */
  prediction?: (result: R) => Prediction;
  tags?: Record<string, string>;
  /** A request id from the call's arguments, to join labels on. */
  requestId?: (...args: A) => string | undefined;
}
