import { describe, expect, it } from 'vitest';
import { SpeedMeter, speedup } from './speed';

describe('SpeedMeter', () => {
  it('reports per-row latency per batch, throughput over the summed time, and the speed-up', () => {
    const production = new SpeedMeter();
    const candidate = new SpeedMeter();
    // Batches of 1,000 and a last one of 500: per-row latency is batch time / its rows.
    for (const [ms, rows] of [
      [10, 1000],
      [12, 1000],
      [11, 1000],
      [13, 1000],
      [50, 500], // a slow batch (a pause): the median ignores it
    ] as const) {
      production.add(ms, rows);
      candidate.add(ms / 4, rows);
    }
    const p = production.report();
    expect(p).toEqual({
      batches: 5,
      rows: 4500,
      per_row_p50_us: 12,
      per_row_p95_us: 100,
      rows_per_second: Math.round((4500 * 1000) / 96),
    });
    expect(speedup(candidate.report(), p)).toBeCloseTo(4, 12);
  });

  it('has no latency, throughput or speed-up without batches', () => {
    const empty = new SpeedMeter();
    empty.add(5, 0);
    expect(empty.report()).toEqual({
      batches: 0,
      rows: 0,
      per_row_p50_us: null,
      per_row_p95_us: null,
      rows_per_second: null,
    });
    const some = new SpeedMeter();
    some.add(1, 10);
    expect(speedup(empty.report(), some.report())).toBeNull();
    expect(speedup(some.report(), empty.report())).toBeNull();
  });
});
