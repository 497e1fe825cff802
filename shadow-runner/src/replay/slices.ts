import { replaySlice, type ReplayRange, type ReplayRow, type Store } from '@osprey/db';

/**
 * Batches of a run's events, oldest first, read as time slices sized to hold about a batch each
 * (from the run's count over its range); a slice that turns out much fuller is split in two and
 * read again. The next slice is read while the caller works on the current batch.
 */
export class SliceReader {
  private readonly buffer: ReplayRow[] = [];
  private readonly sliceMs: number;
  private readonly maxRows: number;
  private cursor: number;
  private pending: Promise<ReplayRow[]> | undefined;

  constructor(
    private readonly store: Store,
    private readonly range: ReplayRange,
    private readonly columns: readonly string[],
    total: number,
    batch: number,
  ) {
    const span = range.to - range.from;
    this.sliceMs = Math.max(1, Math.ceil((span * batch) / Math.max(1, total)));
    this.maxRows = Math.max(8 * batch, 65_536);
    this.cursor = range.from;
  }

  async next(size: number): Promise<ReplayRow[]> {
    while (this.buffer.length < size && (this.pending || this.cursor < this.range.to)) {
      this.pending ??= this.readAhead();
      const rows = await this.pending;
      this.pending = this.cursor < this.range.to ? this.readAhead() : undefined;
      for (const row of rows) this.buffer.push(row);
    }
    return this.buffer.splice(0, size);
  }

  private readAhead(): Promise<ReplayRow[]> {
    const slice = { from: this.cursor, to: Math.min(this.range.to, this.cursor + this.sliceMs) };
    this.cursor = slice.to;
    const p = this.read(slice);
    p.catch(() => undefined); // awaited by next(); an early failure must not go unhandled
    return p;
  }

  private async read(slice: { from: number; to: number }): Promise<ReplayRow[]> {
    const rows = await replaySlice(this.store, this.range, this.columns, slice, this.maxRows);
    if (rows) return rows;
    const mid = Math.floor((slice.from + slice.to) / 2);
    if (mid === slice.from) {
      const all = await replaySlice(
        this.store,
        this.range,
        this.columns,
        slice,
        Number.MAX_SAFE_INTEGER,
      );
      return all ?? [];
    }
    return [
      ...(await this.read({ from: slice.from, to: mid })),
      ...(await this.read({ from: mid, to: slice.to })),
    ];
  }
}
