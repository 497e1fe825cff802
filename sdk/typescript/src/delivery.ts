import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { backoffDelay, sleep } from './backoff';
import type { Reporter } from './errors';
import { post, type Rejection, type TransportConfig } from './transport';
import type { OspreyStats } from './types';

const gzipAsync = promisify(gzip);

/** What sending a batch to one endpoint needs, whoever sends it. */
export interface SendContext {
  transport: TransportConfig;
  /** `/v1/predictions`, `/v1/labels` or `/v1/reference`. */
  path: string;
  /** `prediction`, `label` or `reference`, for messages. */
  noun: string;
  /** What one item is called in messages: `event` or `row`. */
  unit: string;
  /** Hears `retrying` before each wait. */
  report: Reporter;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxRetryDurationMs: number;
  maxBatchBytes: number;
  /** Called once per request re-sent after a retryable failure. */
  onRetry?: () => void;
  /**
   * Whether a wait before a retry keeps the process alive: not for the background queue, whose
   * work must never hold a process open; yes for an upload that the caller awaits.
   */
  keepAlive?: boolean;
}

/** Everything the background queue's deliveries need: sending, plus the client's counters. */
export interface DeliveryContext extends SendContext {
  counters: OspreyStats;
}

/**
 * How one request's worth of a batch ended: answered (`accepted` is clamped to what was sent, and
 * rejection indices are into `events`), or given up. `offset` is where `events` starts in the
 * batch given to `sendBatch`, which may have been split on the way.
 */
export type Settled<T> =
  | { ok: true; events: T[]; offset: number; accepted: number; rejected: Rejection[] }
  | { ok: false; events: T[]; offset: number; reason: string; status?: number };

/**
 * Sends one batch until the collector has answered for every item in it or its retry time is
 * spent: gzipped once per request, retried on network errors, timeouts, 408, 429 and 5xx (with
 * full-jitter backoff, or after exactly `Retry-After`), halved when its JSON is over
 * `maxBatchBytes` or the collector answers 413. `settle` hears about every part exactly once, in
 * order; a `settle` that throws stops the rest of the batch from being sent, and the error
 * propagates.
 */
export async function sendBatch<T>(
  ctx: SendContext,
  events: T[],
  settle: (outcome: Settled<T>) => void,
  offset = 0,
): Promise<void> {
  const raw = Buffer.from(JSON.stringify(events));
  if (raw.length > ctx.maxBatchBytes && events.length > 1) {
    return split(ctx, events, settle, offset);
  }
  // Compressed once, in the thread pool; every retry re-sends the same bytes.
  const body = await gzipAsync(raw);
  const deadline = Date.now() + ctx.maxRetryDurationMs;
  const failed = (reason: string, status?: number) =>
    settle({ ok: false, events, offset, reason, status });
  for (let attempt = 0; ; attempt++) {
    const outcome = await post(ctx.transport, ctx.path, body, events.length);
    switch (outcome.kind) {
      case 'ok': {
        const accepted = Math.max(
          0,
          Math.min(outcome.accepted, events.length - outcome.rejected.length),
        );
        return settle({ ok: true, events, offset, accepted, rejected: outcome.rejected });
      }
      case 'too-large':
        if (events.length > 1) return split(ctx, events, settle, offset);
        return failed(`413: a single ${ctx.unit} is larger than the collector accepts`, 413);
      case 'fatal':
        return failed(`${outcome.reason}${hint(outcome.status)}`, outcome.status);
      case 'retry': {
        const now = Date.now();
        if (now >= deadline) {
          return failed(
            `still failing after ${duration(ctx.maxRetryDurationMs)} of retries (${outcome.reason})`,
            outcome.status,
          );
        }
        const wait = Math.min(
          outcome.retryAfterMs ?? backoffDelay(attempt, ctx.retryBaseDelayMs, ctx.retryMaxDelayMs),
          deadline - now,
        );
        ctx.report(
          'retrying',
          `sending ${events.length} ${ctx.noun} ${ctx.unit}s failed (${outcome.reason}); retrying in ${duration(wait)}`,
          events.length,
          outcome.status,
        );
        await sleep(wait, ctx.keepAlive);
        ctx.onRetry?.();
      }
    }
  }
}

/** Halves a batch that is too large and sends the halves one after the other. */
async function split<T>(
  ctx: SendContext,
  events: T[],
  settle: (outcome: Settled<T>) => void,
  offset: number,
): Promise<void> {
  const mid = Math.ceil(events.length / 2);
  await sendBatch(ctx, events.slice(0, mid), settle, offset);
  await sendBatch(ctx, events.slice(mid), settle, offset + mid);
}

type Event = { event_id?: string | undefined };

/**
 * Sends one batch of the background queue. Events end up counted exactly once, as sent, rejected
 * or failed, and problems go to `onError`. Never rejects.
 */
export async function deliver(ctx: DeliveryContext, events: Event[]): Promise<void> {
  try {
    await sendBatch(ctx, events, (outcome) => {
      if (!outcome.ok) return giveUp(ctx, outcome.events.length, outcome.reason, outcome.status);
      ctx.counters.sent += outcome.accepted;
      if (outcome.rejected.length > 0) recordRejections(ctx, outcome.events, outcome.rejected);
    });
  } catch (err) {
    giveUp(
      ctx,
      events.length,
      `unexpected error: ${err instanceof Error ? err.message : 'unknown'}`,
    );
  }
}

function recordRejections(ctx: DeliveryContext, events: Event[], rejected: Rejection[]): void {
  ctx.counters.rejected += rejected.length;
  const first = rejected[0]!;
  const id = events[first.index]?.event_id;
  ctx.report(
    'rejected',
    `the collector rejected ${rejected.length} of ${events.length} ${ctx.noun} ${ctx.unit}s (not retried); ` +
      `first: ${String(first.error)}${id ? ` (event_id ${id})` : ''}`,
    rejected.length,
    200,
  );
}

function giveUp(ctx: DeliveryContext, count: number, reason: string, status?: number): void {
  ctx.counters.failed += count;
  ctx.report('failed', `gave up ${count} ${ctx.noun} ${ctx.unit}s: ${reason}`, count, status);
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (check the API key and that it may ingest)';
  if (status === 404) return ' (check the collector url)';
  return '';
}

function duration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
