/**
 * Where the detector scheduler stands, for the dashboard: until its first pass has planned the
 * work it is `starting`; while a pass detects more than one window of some model (the backfill on
 * start, or catching up after downtime) it is `backfilling` with `done` of `total` windows; then
 * `current`. During `starting` and `backfilling` drift and alerts are incomplete, so nothing may
 * read "all quiet".
 */
export interface DetectionProgress {
  state: 'starting' | 'backfilling' | 'current';
  /** Windows detected so far in this pass. */
  done: number;
  /** Windows this pass detects, over all models. */
  total: number;
}

export class ProgressTracker {
  private value: DetectionProgress = { state: 'starting', done: 0, total: 0 };

  get(): DetectionProgress {
    return { ...this.value };
  }

  /** A pass planned `perModel` windows; more than one for any model makes it a backfill. */
  planned(perModel: number[]): void {
    const total = perModel.reduce((a, n) => a + n, 0);
    const backfill = perModel.some((n) => n > 1);
    this.value = { state: backfill ? 'backfilling' : 'current', done: 0, total };
  }

  detected(): void {
    this.value = { ...this.value, done: Math.min(this.value.done + 1, this.value.total) };
  }

  finished(): void {
    this.value = { state: 'current', done: this.value.total, total: this.value.total };
  }
}
