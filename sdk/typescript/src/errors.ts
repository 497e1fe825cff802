/** What went wrong: bad input, a full buffer, a closed client, a refusal or a failed delivery. */
export type OspreyErrorKind = 'invalid' | 'dropped' | 'closed' | 'rejected' | 'retrying' | 'failed';

/**
 * Reported through `onError`; the SDK never throws it at the caller, except from the one call that
 * is awaited on purpose: `logReference()` rejects with it when a batch cannot be delivered.
 */
export class OspreyError extends Error {
  constructor(
    readonly kind: OspreyErrorKind,
    message: string,
    /** How many events this is about. */
    readonly count = 1,
    /** The collector's HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OspreyError';
  }
}

export type ErrorHandler = (err: OspreyError) => void;

/** The default handler: one `console.warn` per interval at most, with a count of what it held back. */
export function rateLimitedWarn(intervalMs = 30_000): ErrorHandler {
  let last = -Infinity;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    const held = suppressed > 0 ? ` (${suppressed} more since the last warning)` : '';
    suppressed = 0;
    console.warn(`[osprey] ${err.message}${held}`);
  };
}

/**
 * Hands errors to the user's handler with the API key cut out of the message, and never throws:
 * a handler that throws is ignored.
 */
export function createReporter(handler: ErrorHandler, apiKey: string) {
  return (kind: OspreyErrorKind, message: string, count?: number, status?: number): void => {
    try {
      handler(new OspreyError(kind, redact(message, apiKey), count, status));
    } catch {
      // the handler's own failure must not reach the prediction path
    }
  };
}

export type Reporter = ReturnType<typeof createReporter>;

/** `message` with every occurrence of the API key cut out, whatever a collector echoed back. */
export function redact(message: string, apiKey: string): string {
  return apiKey.length > 0 ? message.split(apiKey).join('[redacted]') : message;
}
