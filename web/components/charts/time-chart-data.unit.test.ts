import { describe, expect, it } from 'vitest';
import { curveType, partialKey, splitPartial, yTicks } from './time-chart-data';

const rows = [
  { t: '2026-12-07T10:00:00.000Z', count: 60 },
  { t: '2026-12-07T10:01:00.000Z', count: 58 },
  { t: '2026-12-07T10:02:00.000Z', count: 7 },
];

describe('splitPartial', () => {
  it('draws a bucket that is still filling apart from the line, not as a fall', () => {
    const now = Date.parse('2026-12-07T10:02:07Z');
    const { rows: out, partial } = splitPartial(rows, ['count'], now);
    expect(partial).toEqual(['count']);
    expect(out.map((r) => r.count)).toEqual([60, 58, null]);
    expect(out.map((r) => (r as Record<string, unknown>)[partialKey('count')])).toEqual([
      undefined,
      58,
      7,
    ]);
  });

  it('leaves complete buckets alone', () => {
    const done = Date.parse('2026-12-07T10:03:00Z');
    expect(splitPartial(rows, ['count'], done)).toEqual({ rows, partial: [] });
    expect(splitPartial(rows, ['count'], undefined)).toEqual({ rows, partial: [] });
    expect(splitPartial(rows.slice(0, 1), ['count'], 0)).toEqual({
      rows: rows.slice(0, 1),
      partial: [],
    });
  });

  it('draws no partial segment for a series without a value in the partial bucket', () => {
    const gap = [...rows.slice(0, 2), { t: '2026-12-07T10:02:00.000Z', count: null }];
    const now = Date.parse('2026-12-07T10:02:07Z');
    expect(splitPartial(gap, ['count'], now)).toEqual({ rows: gap, partial: [] });
  });
});

describe('yTicks', () => {
  it('gives round ticks around scores, never 0.7905', () => {
    expect(yTicks([0.7905, 0.8123, 0.8011], ['auto', 'auto'])).toEqual([0.79, 0.8, 0.81, 0.82]);
    expect(yTicks([12.5, 47.2], [0, 'auto'])).toEqual([0, 20, 40, 60]);
  });

  it('covers the threshold line and a flat series', () => {
    expect(yTicks([0.1, 0.12], [0, 'auto'], 0.2)).toEqual([0, 0.05, 0.1, 0.15, 0.2]);
    expect(yTicks([0, 0], [0, 'auto'])).toEqual([0, 0.5, 1]);
    expect(yTicks([], [0, 'auto'])).toEqual([]);
  });
});

describe('curveType', () => {
  it('draws sparse series with straight segments and dense ones smooth', () => {
    expect(curveType(3)).toBe('linear');
    expect(curveType(48)).toBe('monotone');
  });
});
