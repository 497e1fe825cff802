import type { EventKind, Normalized } from '../events/event-kinds';
import type { RefusedRow } from '../writer/isolate';

/**
 * Where the collector puts accepted events; `write` resolves only once they are safe, with the
 * events the store refused (by index in `events`): none through Kafka, where such rows are
 * dead-lettered by the ingest consumer instead.
 */
export interface EventSink {
  readonly name: 'store' | 'kafka';
  write(kind: EventKind, events: readonly Normalized<unknown>[]): Promise<RefusedRow[]>;
  /** True when a write would be refused at once (back-pressure), so the body need not be read. */
  isFull(kind: EventKind): boolean;
  close(): Promise<void>;
}

/** The sink cannot take events now; the client should retry (503 + Retry-After). */
export class SinkUnavailableError extends Error {
  override name = 'SinkUnavailableError';
}
