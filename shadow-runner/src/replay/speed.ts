/** One model's inference speed over a run's batches (time inside session.run, see RunResult). */
export interface ModelSpeed {
  batches: number;
  rows: number;
  /** Median and p95 over batches of batch time / rows, in microseconds. */
  per_row_p50_us: number | null;
  per_row_p95_us: number | null;
  /** Rows over the summed batch time. */
  rows_per_second: number | null;
}

/** Collects batch times and sizes; per-row latency is each batch's time over its rows. */
export class SpeedMeter {
  private readonly perRowUs: number[] = [];
  private totalMs = 0;
  private rows = 0;

  add(batchMs: number, rows: number): void {
    if (rows <= 0) return;
    this.perRowUs.push((batchMs * 1000) / rows);
    this.totalMs += batchMs;
    this.rows += rows;
  }

  report(): ModelSpeed {
    const sorted = [...this.perRowUs].sort((a, b) => a - b);
    return {
      batches: sorted.length,
      rows: this.rows,
      per_row_p50_us: quantile(sorted, 0.5),
      per_row_p95_us: quantile(sorted, 0.95),
      rows_per_second: this.totalMs > 0 ? Math.round((this.rows * 1000) / this.totalMs) : null,
    };
  }
}

/** Nearest rank on sorted values, as the run's batch latency is reported. */
function quantile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * How many times faster the candidate runs a row than production: the ratio of their median
 * per-row latencies over the same batches (the median, so one slow batch — a warm-up, a pause —
 * does not decide it).
 */
export function speedup(candidate: ModelSpeed, production: ModelSpeed): number | null {
  const c = candidate.per_row_p50_us;
  const p = production.per_row_p50_us;
  return c !== null && p !== null && c > 0 ? p / c : null;
}
