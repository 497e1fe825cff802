import { BatchQueue } from './buffer';
import type { SendContext } from './delivery';
import { createReporter, OspreyError, type Reporter } from './errors';
import { onBeforeExit } from './exit-hook';
import { resolveOptions, type ResolvedOptions } from './options';
import { ProductionPoller, type Production, type WatchOptions } from './production';
import { createCounters } from './stats';
import { uploadReference } from './reference';
import type {
  LabelEvent,
  LogReferenceOptions,
  OspreyOptions,
  OspreyStats,
  PredictionEvent,
  ReferenceRow,
  ReferenceUpload,
  WrapOptions,
} from './types';
import { toWireLabel, toWirePrediction } from './validate';
import { errorText, wrapFunction } from './wrap';

/**
 * The Osprey logging client. `log()` and `logLabel()` only check and buffer: they never throw and
 * never wait. A background loop batches, gzips and sends, retrying what can be retried.
 */
export class Osprey {
  readonly #options: ResolvedOptions;
  readonly #counters = createCounters();
  readonly #report: Reporter;
  readonly #predictions: BatchQueue;
  readonly #labels: BatchQueue;
  readonly #reference: SendContext;
  readonly #timer: NodeJS.Timeout;
  readonly #removeExitHook: (() => void) | undefined;
  #closed = false;
  #dropping = false;
  #production: ProductionPoller | undefined;

  constructor(options: OspreyOptions) {
    const o = resolveOptions(options);
    this.#options = o;
    this.#report = createReporter(o.onError, o.apiKey);
    const sending = (path: string, noun: string, unit: string): SendContext => ({
      transport: { url: o.url, apiKey: o.apiKey, requestTimeoutMs: o.requestTimeoutMs },
      path,
      noun,
      unit,
      report: this.#report,
      retryBaseDelayMs: o.retryBaseDelayMs,
      retryMaxDelayMs: o.retryMaxDelayMs,
      maxRetryDurationMs: o.maxRetryDurationMs,
      maxBatchBytes: o.maxBatchBytes,
    });
    const queue = (path: string, noun: string) =>
      new BatchQueue(
        {
          ...sending(path, noun, 'event'),
          counters: this.#counters,
          onRetry: () => void this.#counters.retries++,
        },
        o.maxBatchSize,
        o.maxConcurrentRequests,
      );
    this.#predictions = queue('/v1/predictions', 'prediction');
    this.#labels = queue('/v1/labels', 'label');
    this.#reference = { ...sending('/v1/reference', 'reference', 'row'), keepAlive: true };
    this.#timer = setInterval(() => this.#cutAll(), o.flushIntervalMs).unref();
    if (o.flushOnExit) this.#removeExitHook = onBeforeExit(() => void this.#drain(undefined));
  }

  /**
   * Buffers one prediction and returns its event_id (for joining labels later), or `''` when the
   * event was not buffered: malformed (counted `invalid`), buffer full or client closed (counted
   * `dropped`). Never throws.
   */
  log(event: PredictionEvent): string {
    try {
      if (!this.#admit()) return '';
      const wire = toWirePrediction(event, Date.now());
      if (typeof wire === 'string') return this.#invalid('prediction', wire);
      this.#predictions.push(wire);
      return wire.event_id;
    } catch (err) {
      return this.#invalid('prediction', `event could not be read: ${errorText(err)}`);
    }
  }

  /** Buffers one label for `/v1/labels`; returns true when buffered. Never throws. */
  logLabel(event: LabelEvent): boolean {
    try {
      if (!this.#admit()) return false;
      const wire = toWireLabel(event, Date.now());
      if (typeof wire === 'string') return this.#invalid('label', wire) !== '';
      this.#labels.push(wire);
      return true;
    } catch (err) {
      return this.#invalid('label', `event could not be read: ${errorText(err)}`) !== '';
    }
  }

  /**
   * `fn` with the same signature, timed and logged on every call: features (the first argument
   * unless `opts.features` says otherwise), prediction (the result, awaited when it is a promise)
   * and latency_ms; on a throw or rejection, the error, after which the error is rethrown.
   */
  wrap<F extends (...args: never[]) => unknown>(
    model: string,
    version: string,
    fn: F,
    opts?: WrapOptions<Parameters<F>, Awaited<ReturnType<F>>>,
  ): F {
    return wrapFunction((event) => this.log(event), model, version, fn, opts);
  }

  /**
   * Uploads a reference dataset for `model` `version` (what its inputs and outputs should look
   * like, e.g. its training data) to `/v1/reference`; the newest upload becomes the model's
   * reference for drift detection. Unlike `log()`, this is a bulk upload to await: it bypasses the
   * buffer, reads `rows` (an iterable or async iterable) in batches of `opts.batchRows` (default
   * 5000, and never over `maxBatchBytes`), and sends each batch, gzipped and retried like `log()`'s,
   * before reading on. Every row carries `opts.referenceId` (default: a new UUID).
   *
   * Resolves with the reference id, the rows accepted, and the rows refused (by this client's
   * checks or the collector's) by their index in `rows`. Rejects with a TypeError for a bad model,
   * version, reference id, `batchRows` or `rows`; with an `OspreyError` of kind `closed` after
   * `close()`; and with one of kind `failed` (with the HTTP status) when a batch cannot be
   * delivered: a 4xx answer, or retries that ran out after `maxRetryDurationMs`; the batches
   * before it stay stored. Does not change `stats()`; retries are reported to `onError`.
   */
  logReference(
    model: string,
    version: string,
    rows: Iterable<ReferenceRow> | AsyncIterable<ReferenceRow>,
    opts?: LogReferenceOptions,
  ): Promise<ReferenceUpload> {
    if (this.#closed) {
      return Promise.reject(
        new OspreyError('closed', 'logReference() after close(): nothing was sent', 0),
      );
    }
    return uploadReference(this.#reference, this.#options.apiKey, model, version, rows, opts);
  }

  /**
   * Resolves once everything logged before the call has been sent or given up: `true`. With
   * `timeoutMs`, resolves `false` when that time passes first (delivery goes on in the background).
   */
  flush(timeoutMs?: number): Promise<boolean> {
    return this.#drain(timeoutMs);
  }

  /**
   * Flushes and stops: the timer is cleared and the exit hook removed; later `log()` calls are
   * dropped and counted. Resolves like `flush()`.
   */
  close(timeoutMs?: number): Promise<boolean> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#timer);
      this.#removeExitHook?.();
    }
    return this.#drain(timeoutMs);
  }

  /**
   * The model's production version from Osprey's registry (null before any promote), polled with
   * ETag / If-None-Match and cached: see ProductionPoller (use it directly when the registry is
   * served at another URL than the collector).
   */
  production(model: string): Promise<Production | null> {
    return this.#poller().get(model);
  }

  /** Calls `onChange` now and on every promote or rollback of `model`; returns a stop function. */
  watchProduction(
    model: string,
    onChange: (production: Production | null) => void,
    options?: WatchOptions,
  ): () => void {
    return this.#poller().watch(model, onChange, options);
  }

  /** A production version's ONNX bytes, checked against its sha256. */
  fetchArtifact(production: Production): Promise<Uint8Array> {
    return this.#poller().artifact(production);
  }

  #poller(): ProductionPoller {
    const o = this.#options;
    return (this.#production ??= new ProductionPoller({
      url: o.url,
      apiKey: o.apiKey,
      requestTimeoutMs: o.requestTimeoutMs,
    }));
  }

  /** A snapshot of the counters. */
  stats(): OspreyStats {
    const c = this.#counters;
    return {
      queued: c.queued,
      inFlight: c.inFlight,
      sent: c.sent,
      dropped: c.dropped,
      rejected: c.rejected,
      failed: c.failed,
      invalid: c.invalid,
      retries: c.retries,
    };
  }

  /** Whether there is room for one more event; counts and reports the drop when there is not. */
  #admit(): boolean {
    const c = this.#counters;
    if (this.#closed) {
      c.dropped++;
      if (!this.#dropping) {
        this.#dropping = true;
        this.#report('closed', 'log() after close(): the event was dropped');
      }
      return false;
    }
    if (c.queued + c.inFlight >= this.#options.maxBufferSize) {
      c.dropped++;
      if (!this.#dropping) {
        this.#dropping = true;
        this.#report(
          'dropped',
          `buffer full (${this.#options.maxBufferSize} events): dropping new events until the ` +
            'collector catches up; see stats().dropped for the count',
        );
      }
      return false;
    }
    this.#dropping = false;
    return true;
  }

  #invalid(noun: string, problem: string): '' {
    this.#counters.invalid++;
    this.#report('invalid', `invalid ${noun} event not logged: ${problem}`);
    return '';
  }

  #cutAll(): void {
    this.#predictions.cut();
    this.#labels.cut();
  }

  /** Waits for both endpoints; the optional time limit is the only timer here that is not unref'd. */
  async #drain(timeoutMs: number | undefined): Promise<boolean> {
    const done = Promise.all([this.#predictions.drain(), this.#labels.drain()]).then(() => true);
    if (timeoutMs === undefined) return done;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    try {
      return await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
