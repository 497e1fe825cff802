import { describe, expect, it } from 'vitest';
import { HOUR_MS as H, MINUTE_MS as M, cover, exactOn } from './cover';

describe('cover', () => {
  it('takes whole hours inside, whole minutes and raw rows at the ends', () => {
    const from = 2 * H - 90_500;
    const to = 5 * H + 30_250;
    expect(cover(from, to, [H, M])).toEqual([
      { level: null, from, to: 2 * H - 60_000 },
      { level: M, from: 2 * H - 60_000, to: 2 * H },
      { level: H, from: 2 * H, to: 5 * H },
      { level: null, from: 5 * H, to },
    ]);
  });

  it('falls to finer levels when no whole block fits, and reads raw rows without levels', () => {
    expect(cover(H + 10, H + 3 * M, [H, M])).toEqual([
      { level: null, from: H + 10, to: H + M },
      { level: M, from: H + M, to: H + 3 * M },
    ]);
    expect(cover(5, 50, [H, M])).toEqual([{ level: null, from: 5, to: 50 }]);
    expect(cover(0, 2 * H, [])).toEqual([{ level: null, from: 0, to: 2 * H }]);
    expect(cover(7, 7, [H])).toEqual([]);
  });

  it('knows when a level fits a grid exactly', () => {
    expect(exactOn({ origin: 0, num: 0, den: 1 }, H)).toBe(true);
    expect(exactOn({ origin: 0, num: 1, den: 15 * M }, M)).toBe(true);
    expect(exactOn({ origin: 0, num: 1, den: 15 * M }, H)).toBe(false);
    expect(exactOn({ origin: 0, num: 1, den: 90_000 }, M)).toBe(false);
    expect(exactOn({ origin: 3 * H, num: 6, den: 6 * H }, H)).toBe(true);
    expect(exactOn({ origin: 3 * H + 1, num: 6, den: 6 * H }, M)).toBe(false);
  });
});
