import { describe, expect, it } from 'vitest';
import { comparedLabel, windowLength } from './window-text';

// The page passes components/ui/format's clock; the same UTC wall-clock form here.
const clock = (t: string, withDate = false) =>
  withDate ? `${t.slice(5, 10)} ${t.slice(11, 16)}` : t.slice(11, 16);

describe('window text', () => {
  it('says a window length in the largest whole unit', () => {
    expect([5, 60, 120, 1440, 2880, 90].map(windowLength)).toEqual([
      '5 min',
      '1 h',
      '2 h',
      '1 day',
      '2 days',
      '90 min',
    ]);
  });

  it('says what a window was compared with', () => {
    expect(comparedLabel({ source: 'dataset', size: 3000, reference_id: 'val' }, clock)).toBe(
      'dataset val (3,000 rows)',
    );
    expect(
      comparedLabel(
        {
          source: 'previous_window',
          size: 571,
          from: '2026-12-06T17:00:00.000Z',
          to: '2026-12-06T18:00:00.000Z',
        },
        clock,
      ),
    ).toBe('previous window 12-06 17:00–18:00 (571 rows)');
    expect(comparedLabel(null, clock)).toBe('no reference');
  });
});
