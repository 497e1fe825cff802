import {
  replaySliceColumns,
  sliceColumns,
  type ReplayColumns,
  type ReplayRange,
  type Store,
} from '@osprey/db';
import { concatColumns } from './columns';

/**
 * Events read per query: a chDB query costs ~15 ms however few rows it returns, so slices hold
 * many batches (4,096-row slices read at ~200k rows/s, 65,536-row ones at ~1M rows/s).
 */
export const SLICE_ROWS = 65_536;

/**
 * Batches of a run's events, oldest first, as columns: read as time slices sized to hold about
 * SLICE_ROWS events each (from the run's count over its range); a slice that turns out much
 * fuller is split in two and read again. The next slice is read while the caller works on the
 * current one.
 */
export class SliceReader {
  private buffer: ReplayColumns[] = [];
  /** Events of buffer[0] already handed out. */
  private headTaken = 0;
  private buffered = 0;
  private readonly sliceMs: number;
  private readonly maxRows: number;
  private cursor: number;
  private pending: Promise<ReplayColumns[]> | undefined;
  /** Time spent in slice queries and decoding, ms (overlaps the other stages). */
  readMs = 0;

  constructor(
    private readonly store: Store,
    private readonly range: ReplayRange,
    private readonly columns: readonly string[],
    total: number,
    batch: number,
    private readonly sample: bigint,
    sliceRows = SLICE_ROWS,
  ) {
    const span = range.to - range.from;
    const rows = Math.max(batch, sliceRows);
    this.sliceMs = Math.max(1, Math.ceil((span * rows) / Math.max(1, total)));
    this.maxRows = 4 * rows;
    this.cursor = range.from;
  }

  /** The next `size` events (fewer at the end of the range; none after it). */
  async next(size: number): Promise<ReplayColumns | undefined> {
    while (this.buffered < size && (this.pending || this.cursor < this.range.to)) {
      this.pending ??= this.readAhead();
      const slices = await this.pending;
      this.pending = this.cursor < this.range.to ? this.readAhead() : undefined;
      for (const s of slices) if (s.n > 0) this.buffer.push(s);
      this.buffered = this.buffer.reduce((a, s) => a + s.n, 0) - this.headTaken;
    }
    if (this.buffered === 0) return undefined;
    const parts: ReplayColumns[] = [];
    let want = Math.min(size, this.buffered);
    while (want > 0) {
      const head = this.buffer[0]!;
      const take = Math.min(want, head.n - this.headTaken);
      parts.push(
        take === head.n ? head : sliceColumns(head, this.headTaken, this.headTaken + take),
      );
      this.headTaken += take;
      want -= take;
      if (this.headTaken === head.n) {
        this.buffer.shift();
        this.headTaken = 0;
      }
    }
    const batch = parts.length === 1 ? parts[0]! : concatColumns(parts);
    this.buffered -= batch.n;
    return batch;
  }

  private readAhead(): Promise<ReplayColumns[]> {
    const slice = { from: this.cursor, to: Math.min(this.range.to, this.cursor + this.sliceMs) };
    this.cursor = slice.to;
    const p = this.read(slice);
    p.catch(() => undefined); // awaited by next(); an early failure must not go unhandled
    return p;
  }

  private async read(slice: { from: number; to: number }): Promise<ReplayColumns[]> {
    const { store, range, columns, sample } = this;
    const started = performance.now();
    const rows = await replaySliceColumns(store, range, columns, slice, this.maxRows, sample);
    this.readMs += performance.now() - started;
    if (rows) return [rows];
    const mid = Math.floor((slice.from + slice.to) / 2);
    if (mid === slice.from) {
      const all = await replaySliceColumns(
        store,
        range,
        columns,
        slice,
        Number.MAX_SAFE_INTEGER,
        sample,
      );
      return all ? [all] : [];
    }
    return [
      ...(await this.read({ from: slice.from, to: mid })),
      ...(await this.read({ from: mid, to: slice.to })),
    ];
  }
}
