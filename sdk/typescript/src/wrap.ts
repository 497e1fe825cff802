import type { FeatureValue, Prediction, PredictionEvent, WrapOptions } from './types';

type Log = (event: PredictionEvent) => string;

/**
 * Returns `fn` with the same signature, timed and logged: each call logs its features, its
 * prediction and its latency, or its error (then rethrows it). A promise result is logged when it
 * settles; the caller gets a promise that settles the same way. Logging never changes what the
 * caller sees.
 */
export function wrapFunction<F extends (...args: never[]) => unknown>(
  log: Log,
  model: string,
  version: string,
  fn: F,
  opts: WrapOptions<Parameters<F>, Awaited<ReturnType<F>>> = {},
): F {
  type A = Parameters<F>;
  type R = Awaited<ReturnType<F>>;

  const record = (args: A, start: number, outcome: { result: R } | { error: unknown }): void => {
    const latency_ms = performance.now() - start;
    let features: PredictionEvent['features'];
    let request_id: string | undefined;
    let prediction: Prediction | undefined;
    let error: string | undefined;
    try {
      features = opts.features ? opts.features(...args) : defaultFeatures(args[0]);
      request_id = opts.requestId?.(...args);
      if ('error' in outcome) error = errorText(outcome.error);
      else
        prediction = opts.prediction
          ? opts.prediction(outcome.result)
          : (outcome.result as Prediction);
    } catch (err) {
      // an extractor threw: still log the call, as an error, so it is not lost silently
      error = `osprey wrap: extracting the event failed: ${errorText(err)}`;
      prediction = undefined;
      features ??= {};
    }
    log({ model, version, features, prediction, latency_ms, error, tags: opts.tags, request_id });
  };

  const wrapped = function (this: unknown, ...args: A): unknown {
    const start = performance.now();
    let result: unknown;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      record(args, start, { error });
      throw error;
    }
    if (isThenable(result)) {
      // A new promise that settles like the original, after the record: a rejection the caller
      // does not handle still surfaces as unhandled, as it would without the wrapper.
      return result.then(
        (value) => {
          record(args, start, { result: value as R });
          return value;
        },
        (error: unknown) => {
          record(args, start, { error });
          throw error;
        },
      );
    }
    record(args, start, { result: result as R });
    return result;
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped as unknown as F;
}

/** The first argument as features: an object as is, an array by index, a scalar as `input`. */
function defaultFeatures(arg: unknown): Record<string, FeatureValue | undefined> {
  if (arg === undefined) return {};
  if (Array.isArray(arg) || ArrayBuffer.isView(arg)) {
    const out: Record<string, FeatureValue | undefined> = {};
    const values = arg as unknown as ArrayLike<FeatureValue>;
    for (let i = 0; i < values.length; i++) out[String(i)] = values[i];
    return out;
  }
  if (typeof arg === 'object' && arg !== null) return arg as Record<string, FeatureValue>;
  return { input: arg as FeatureValue };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `String(err)`, or a fallback when even that throws (a Symbol, a hostile toString). */
export function errorText(err: unknown): string {
  try {
    const text = String(err);
    return text.length > 0 ? text : 'Error';
  } catch {
    return 'unprintable error';
  }
}
