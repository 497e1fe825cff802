import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { backoffDelay, sleep } from './backoff';
import type { Reporter } from './errors';
import { post, type Rejection, type TransportConfig } from './transport';
import type { OspreyStats } from './types';

const gzipAsync = promisify(gzip);

/** Everything one endpoint's deliveries need. */
export interface DeliveryContext {
  transport: TransportConfig;
  /** `/v1/predictions` or `/v1/labels`. */
  path: string;
  /** `prediction` or `label`, for messages. */
  noun: string;
  counters: OspreyStats;
  report: Reporter;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxRetryDurationMs: number;
  maxBatchBytes: number;
}

type Event = { event_id?: string | undefined };

/**
 * Sends one batch until the collector has answered for every event in it or its retry time is
 * spent. Events end up counted exactly once, as sent, rejected or failed. Never rejects.
 */
export async function deliver(ctx: DeliveryContext, events: Event[]): Promise<void> {
  try {
    await deliverOnce(ctx, events);
  } catch (err) {
    giveUp(
      ctx,
      events.length,
      `unexpected error: ${err instanceof Error ? err.message : 'unknown'}`,
    );
  }
}

async function deliverOnce(ctx: DeliveryContext, events: Event[]): Promise<void> {
  const raw = Buffer.from(JSON.stringify(events));
  if (raw.length > ctx.maxBatchBytes && events.length > 1) return split(ctx, events);
  // Compressed once, in the thread pool; every retry re-sends the same bytes.
  const body = await gzipAsync(raw);
  const deadline = Date.now() + ctx.maxRetryDurationMs;
  for (let attempt = 0; ; attempt++) {
    const outcome = await post(ctx.transport, ctx.path, body, events.length);
    switch (outcome.kind) {
      case 'ok':
        ctx.counters.sent += Math.max(
          0,
          Math.min(outcome.accepted, events.length - outcome.rejected.length),
        );
        if (outcome.rejected.length > 0) recordRejections(ctx, events, outcome.rejected);
        return;
      case 'too-large':
        if (events.length > 1) return split(ctx, events);
        return giveUp(ctx, 1, '413: a single event is larger than the collector accepts', 413);
      case 'fatal':
        return giveUp(
          ctx,
          events.length,
          `${outcome.reason}${hint(outcome.status)}`,
          outcome.status,
        );
      case 'retry': {
        const now = Date.now();
        if (now >= deadline) {
          return giveUp(
            ctx,
            events.length,
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
          `sending ${events.length} ${ctx.noun} events failed (${outcome.reason}); retrying in ${duration(wait)}`,
          events.length,
          outcome.status,
        );
        await sleep(wait);
        ctx.counters.retries++;
      }
    }
  }
}

/** Halves a batch that is too large and sends the halves one after the other. */
async function split(ctx: DeliveryContext, events: Event[]): Promise<void> {
  const mid = Math.ceil(events.length / 2);
  await deliverOnce(ctx, events.slice(0, mid));
  await deliverOnce(ctx, events.slice(mid));
}

function recordRejections(ctx: DeliveryContext, events: Event[], rejected: Rejection[]): void {
  ctx.counters.rejected += rejected.length;
  const first = rejected[0]!;
  const id = events[first.index]?.event_id;
  ctx.report(
    'rejected',
    `the collector rejected ${rejected.length} of ${events.length} ${ctx.noun} events (not retried); ` +
      `first: ${String(first.error)}${id ? ` (event_id ${id})` : ''}`,
    rejected.length,
    200,
  );
}

function giveUp(ctx: DeliveryContext, count: number, reason: string, status?: number): void {
  ctx.counters.failed += count;
  ctx.report('failed', `gave up ${count} ${ctx.noun} events: ${reason}`, count, status);
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (check the API key and that it may ingest)';
  if (status === 404) return ' (check the collector url)';
  return '';
}

function duration(ms: number): string {
  return ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
