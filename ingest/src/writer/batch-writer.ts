import { randomUUID } from 'node:crypto';
import { StoreError, type InsertOptions, type Store } from '@osprey/db';
import { insertIsolating, type RefusedRow } from './isolate';

export interface BatchWriterOptions {
  /** Insert as soon as this many rows are waiting (and never more in one insert). */
  maxBatchRows: number;
  /** At most one insert per this interval; an idle writer inserts at once. */
  minIntervalMs: number;
  /** Rows waiting or being inserted above which `write` refuses (back-pressure, never unbounded). */
  maxBufferedRows: number;
  /** Attempts per insert before the waiting writers are told it failed. */
  insertAttempts: number;
  retryBaseMs: number;
}

export class BufferFullError extends Error {
  override name = 'BufferFullError';
  constructor(readonly table: string) {
    super(`the ${table} writer's buffer is full; retry shortly`);
  }
}

export interface WriterMetrics {
  onInsert(table: string, rows: number, seconds: number): void;
  onInsertError(table: string): void;
}

interface Waiter {
  rows: number;
  resolve: (refused: RefusedRow[]) => void;
  reject: (err: unknown) => void;
}

/**
 * One batching writer per table, one insert at a time. An idle writer inserts at once (low latency
 * at low load); writes that arrive while an insert runs wait for the next one, which starts when
 * the running one ends, when `maxBatchRows` are waiting, and no sooner than `minIntervalMs` after
 * the last start. So batches grow with the load by themselves, and the number of inserts (each a
 * part in ClickHouse, to be merged later) stays bounded whatever the request rate.
 * `write` resolves only once its rows are stored, which is what lets the collector acknowledge.
 * Rows arrive serialised as JSON lines so the pending batch is a list of strings, cheap to hold.
 * A row the store refuses fails nobody else's (isolate.ts): `write` answers which of its rows
 * were refused, and every other row of the batch is stored.
 */
/** How a writer's row lines are laid out (InsertOptions). */
export type RowFormat = Pick<InsertOptions, 'columns' | 'trailingColumnsOptional'>;

export class BatchWriter {
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private inFlightRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastStart = -Infinity;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: Store,
    readonly table: string,
    /** The columns of each row line (JSON arrays), as in InsertOptions; undefined for objects. */
    private readonly rowFormat: RowFormat | undefined,
    private readonly options: BatchWriterOptions,
    private readonly metrics?: WriterMetrics,
    /** Where the rows are inserted, if not `table` itself (a landing table). */
    private readonly insertInto: string = table,
  ) {}

  get bufferedRows(): number {
    return this.pending.length + this.inFlightRows;
  }

  isFull(): boolean {
    return this.bufferedRows >= this.options.maxBufferedRows;
  }

  /**
   * Resolves when `lines` are inserted, with the ones the store refused for their data (by index
   * in `lines`); rejects with BufferFullError at once when over capacity, and with the store's
   * error when it is unavailable (then none of `lines` is stored).
   */
  write(lines: string[]): Promise<RefusedRow[]> {
    if (lines.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new Error(`the ${this.table} writer is closed`));
    if (this.bufferedRows + lines.length > this.options.maxBufferedRows) {
      return Promise.reject(new BufferFullError(this.table));
    }
    return new Promise<RefusedRow[]>((resolve, reject) => {
      for (const line of lines) this.pending.push(line);
      this.waiters.push({ rows: lines.length, resolve, reject });
      this.schedule();
    });
  }

  /** Inserts everything waiting now and resolves when done. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the rest up when it ends
    const wait = this.lastStart + this.options.minIntervalMs - performance.now();
    if (wait <= 0 || this.pending.length >= this.options.maxBatchRows) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), wait);
    }
  }

  private startFlush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.pending.length === 0) return;
    this.lastStart = performance.now();
    this.flushing = this.insertPending().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async insertPending(): Promise<void> {
    // Take whole requests only, so a request's rows are never split over two inserts.
    let rows = 0;
    let count = 0;
    while (
      count < this.waiters.length &&
      (count === 0 || rows + this.waiters[count]!.rows <= this.options.maxBatchRows)
    ) {
      rows += this.waiters[count]!.rows;
      count++;
    }
    const batch = this.pending.splice(0, rows);
    const waiters = this.waiters.splice(0, count);
    this.inFlightRows = rows;
    // One token for the batch, one per range within it (isolate.ts) and for every attempt: an
    // insert that landed but whose answer was lost is not doubled.
    const token = randomUUID();
    try {
      const refused = await insertIsolating(batch, (lines, range) =>
        this.insertWithRetry(lines, range ? `${token}/${range}` : token),
      );
      let first = 0;
      for (const w of waiters) {
        const last = first + w.rows;
        w.resolve(
          refused
            .filter((r) => r.index >= first && r.index < last)
            .map((r) => ({ index: r.index - first, error: r.error })),
        );
        first = last;
      }
    } catch (err) {
      for (const w of waiters) w.reject(err);
    } finally {
      this.inFlightRows = 0;
    }
  }

  private async insertWithRetry(
    lines: readonly string[],
    deduplicationToken: string,
  ): Promise<void> {
    const payload = Buffer.from(lines.join('\n'));
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await this.store.insertJsonLines(this.insertInto, payload, {
          deduplicationToken,
          ...this.rowFormat,
        });
        this.metrics?.onInsert(this.table, lines.length, (performance.now() - started) / 1000);
        return;
      } catch (err) {
        this.metrics?.onInsertError(this.table);
        // Refused data is refused again: isolate.ts splits it instead of retrying.
        if (err instanceof StoreError && err.isBadData) throw err;
        if (attempt >= this.options.insertAttempts) throw err;
        await new Promise((r) => setTimeout(r, this.options.retryBaseMs * 4 ** (attempt - 1)));
      }
    }
  }
}
