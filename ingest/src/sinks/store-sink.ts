import type { Store } from '@osprey/db';
import { EVENT_KINDS, rowLine, type EventKind, type Normalized } from '../events/event-kinds';
import { BatchWriter, type BatchWriterOptions, type WriterMetrics } from '../writer/batch-writer';
import type { RefusedRow } from '../writer/isolate';
import type { EventSink } from './event-sink';

/** Embedded mode: events become rows and go through one batch writer per table into the Store. */
export class StoreSink implements EventSink {
  readonly name = 'store' as const;
  private readonly writers = new Map<EventKind, BatchWriter>();

  constructor(store: Store, options: BatchWriterOptions, metrics?: WriterMetrics) {
    for (const kind of EVENT_KINDS)
      this.writers.set(
        kind,
        new BatchWriter(
          store,
          kind.table,
          { columns: kind.columns, trailingColumnsOptional: kind.trailingColumnsOptional },
          options,
          metrics,
          kind.insertTable,
        ),
      );
  }

  write(kind: EventKind, events: readonly Normalized<unknown>[]): Promise<RefusedRow[]> {
    return this.writers.get(kind)!.write(events.map((e) => rowLine(kind, e)));
  }

  isFull(kind: EventKind): boolean {
    return this.writers.get(kind)!.isFull();
  }

  bufferedRows(): Record<string, number> {
    return Object.fromEntries([...this.writers.values()].map((w) => [w.table, w.bufferedRows]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.close()));
  }
}
