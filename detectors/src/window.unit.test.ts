import { describe, expect, it } from 'vitest';
import { closedWindows, windowAt } from './window';

describe('windows', () => {
  const H = 3_600_000;
  it('are aligned to the epoch', () => {
    expect(windowAt(5 * H + 123, 60)).toEqual({ from: 5 * H, to: 6 * H });
  });
  it('closed after a point: every whole window ending in (after, upTo]', () => {
    expect(closedWindows(5 * H, 8 * H + 10, 60)).toEqual([
      { from: 5 * H, to: 6 * H },
      { from: 6 * H, to: 7 * H },
      { from: 7 * H, to: 8 * H },
    ]);
    expect(closedWindows(5 * H - 1, 5 * H + 10, 60)).toEqual([{ from: 4 * H, to: 5 * H }]);
    expect(closedWindows(8 * H, 8 * H + 10, 60)).toEqual([]);
  });
});
