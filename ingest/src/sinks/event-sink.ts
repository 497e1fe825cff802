import type { EventKind, Normalized } from '../events/event-kinds';

/** Where the collector puts accepted events; `write` resolves only once they are safe. */
export interface EventSink {
  readonly name: 'store' | 'kafka';
  write(kind: EventKind, events: readonly Normalized<unknown>[]): Promise<void>;
  /** True when a write would be refused at once (back-pressure), so the body need not be read. */
  isFull(kind: EventKind): boolean;
  close(): Promise<void>;
}

/** The sink cannot take events now; the client should retry (503 + Retry-After). */
export class SinkUnavailableError extends Error {
  override name = 'SinkUnavailableError';
}
