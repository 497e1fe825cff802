/** The result of one delivery attempt, as the worker needs it. */
export interface Outcome {
  ok: boolean;
  /** HTTP status or SMTP reply code, when there was one. */
  code?: number;
  error?: string;
  /** Not worth retrying (a refused address, an SMTP 5xx). */
  permanent?: boolean;
  /** The endpoint is gone (HTTP 410): the channel is disabled. */
  disable?: boolean;
  /** The receiver asked for this delay (Retry-After). */
  retryAfterMs?: number;
}
