import { describe, expect, it } from 'vitest';
import { newestWindows } from './newest-windows';

const H = 3_600_000;
const w = (fromH: number, toH: number, computedAt: number) => ({
  from: fromH * H,
  to: toH * H,
  computedAt,
});

describe('newestWindows', () => {
  it('keeps every window when none overlap, oldest first', () => {
    const windows = [w(20, 21, 1), w(18, 19, 3), w(19, 20, 2)];
    expect(newestWindows(windows)).toEqual([w(18, 19, 3), w(19, 20, 2), w(20, 21, 1)]);
  });

  it('lets hourly windows computed after a 3-hour one replace it', () => {
    const windows = [w(18, 21, 1), w(21, 22, 2), w(18, 19, 3), w(19, 20, 3), w(20, 21, 3)];
    expect(newestWindows(windows)).toEqual([
      w(18, 19, 3),
      w(19, 20, 3),
      w(20, 21, 3),
      w(21, 22, 2),
    ]);
  });

  it('lets a newer long window hide the older short ones it covers', () => {
    const windows = [w(18, 19, 1), w(19, 20, 1), w(18, 20, 2), w(20, 21, 1)];
    expect(newestWindows(windows)).toEqual([w(18, 20, 2), w(20, 21, 1)]);
  });

  it('treats windows that only touch as not overlapping', () => {
    expect(newestWindows([w(18, 19, 2), w(19, 20, 1)])).toHaveLength(2);
  });
});
