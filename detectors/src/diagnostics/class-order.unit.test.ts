import { describe, expect, it } from 'vitest';
import { classOrder } from './confusion-matrix';

describe('classOrder (numpy.unique order of the confusion matrix labels)', () => {
  it('sorts numeric classes by value, not as text', () => {
    expect(classOrder(['10', '2', '1', '2'])).toEqual(['1', '2', '10']);
  });
  it('sorts text classes by code point, as Python does', () => {
    expect(classOrder(['b', 'B', 'a', '10'])).toEqual(['10', 'B', 'a', 'b']);
  });
});
