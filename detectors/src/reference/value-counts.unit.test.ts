import { describe, expect, it } from 'vitest';
import { bucketsOfValues, quantilesOfValues } from './value-counts';

// The sorted values 1, 2, 3, 3, 7.
const counted = { values: [1, 2, 3, 7], counts: [1, 1, 2, 1] };

describe('value counts', () => {
  it('give the lower of the two values around each level', () => {
    // index ⌊p (n − 1)⌋ of the sorted values
    expect(quantilesOfValues(counted, [0, 0.2, 0.25, 0.5, 0.74, 0.75, 1])).toEqual([
      1, 1, 2, 3, 3, 3, 7,
    ]);
  });

  it('count into buckets as the bucket pass does: [boundary, next boundary)', () => {
    expect(bucketsOfValues(counted, [2, 3, 5])).toEqual({
      counts: [1, 1, 2, 1],
      sum: [1, 2, 6, 7],
      lo: [1, 2, 3, 7],
      hi: [1, 2, 3, 7],
    });
    // values below the grid, empty buckets between
    expect(bucketsOfValues(counted, [0, 10, 20])).toEqual({
      counts: [0, 5, 0, 0],
      sum: [0, 16, 0, 0],
      lo: [0, 1, 0, 0],
      hi: [0, 7, 0, 0],
    });
  });
});
