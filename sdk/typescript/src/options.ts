import { rateLimitedWarn, type ErrorHandler } from './errors';
import type { OspreyOptions } from './types';

export interface ResolvedOptions {
  url: string;
  apiKey: string;
  maxBatchSize: number;
  flushIntervalMs: number;
  maxBufferSize: number;
  maxConcurrentRequests: number;
  requestTimeoutMs: number;
  maxRetryDurationMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxBatchBytes: number;
  flushOnExit: boolean;
  onError: ErrorHandler;
}

export const DEFAULTS = {
  maxBatchSize: 500,
  flushIntervalMs: 1000,
  maxBufferSize: 10_000,
  maxConcurrentRequests: 2,
  requestTimeoutMs: 10_000,
  maxRetryDurationMs: 10 * 60_000,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 30_000,
  maxBatchBytes: 4 * 1024 * 1024,
} as const;

type NumericOption = keyof typeof DEFAULTS;

/**
 * Checks the options once, at construction, and fills in defaults. Throws a TypeError naming the
 * option (a configuration mistake should stop start-up, not lose every event quietly); the API
 * key's value is never part of the message.
 */
export function resolveOptions(options: OspreyOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('Osprey: options must be an object with url and apiKey');
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError('Osprey: url must be an absolute http(s) URL, e.g. http://localhost:4318');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('Osprey: url must use http: or https:');
  }
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError('Osprey: apiKey is required (an ingest API key)');
  }
  const numbers = {} as Record<NumericOption, number>;
  for (const name of Object.keys(DEFAULTS) as NumericOption[]) {
    const value = options[name] ?? DEFAULTS[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new TypeError(`Osprey: ${name} must be a whole number >= 1`);
    }
    numbers[name] = value;
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError('Osprey: onError must be a function');
  }
  return {
    ...numbers,
    url: url.href.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    flushOnExit: options.flushOnExit ?? true,
    onError: options.onError ?? rateLimitedWarn(),
  };
}
