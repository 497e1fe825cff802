import { describe, expect, it } from 'vitest';
import { closedWindows, windowAt, windowsOverlapping } from './window';

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
  it('overlapping a range: the range widened to window edges', () => {
    expect(windowsOverlapping(18 * H, 21 * H, 60)).toEqual([
      { from: 18 * H, to: 19 * H },
      { from: 19 * H, to: 20 * H },
      { from: 20 * H, to: 21 * H },
    ]);
    expect(windowsOverlapping(18 * H + 1, 19 * H + 1, 60)).toEqual([
      { from: 18 * H, to: 19 * H },
      { from: 19 * H, to: 20 * H },
    ]);
    expect(windowsOverlapping(18 * H, 18 * H + 1, 1440)).toEqual([{ from: 0, to: 24 * H }]);
  });
});
