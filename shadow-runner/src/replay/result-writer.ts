import { insertShadowBatches, insertShadowResults, type Store } from '@osprey/db';
import type { ComparedBatch } from './compare';

/**
 * Events gathered before one write: an insert costs ~8 ms however small (chDB, 2 cores), so a
 * 4,096-event batch written alone would cost more than its inference.
 */
export const WRITE_EVENTS = 65_536;

/**
 * Writes a run's scored batches: their columns to shadow_batches and their kept events to
 * shadow_results, gathered until WRITE_EVENTS events wait (or flush()), with one write in flight
 * while the next batches are scored. A failed write fails the next add() or flush().
 */
export class ResultWriter {
  private batches: ComparedBatch['columns'][] = [];
  private kept: ComparedBatch['kept'] = [];
  private events = 0;
  private writing: Promise<void> = Promise.resolve();
  /** Time spent encoding and inserting, ms (overlaps the other stages). */
  writeMs = 0;

  constructor(
    private readonly store: Store,
    private readonly writeEvents = WRITE_EVENTS,
  ) {}

  async add(scored: ComparedBatch): Promise<void> {
    this.batches.push(scored.columns);
    for (const row of scored.kept) this.kept.push(row);
    this.events += scored.columns.n;
    if (this.events >= this.writeEvents) await this.write();
  }

  /** Writes what waits and returns once every write so far is stored. */
  async flush(): Promise<void> {
    await this.write();
    await this.writing;
  }

  private async write(): Promise<void> {
    await this.writing;
    if (this.events === 0) return;
    const { store, batches, kept } = this;
    this.batches = [];
    this.kept = [];
    this.events = 0;
    const started = performance.now();
    this.writing = Promise.all([
      insertShadowBatches(store, batches),
      insertShadowResults(store, kept),
    ]).then(() => {
      this.writeMs += performance.now() - started;
    });
    this.writing.catch(() => undefined); // awaited by the next write or flush()
  }
}
