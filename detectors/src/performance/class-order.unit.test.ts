import { describe, expect, it } from 'vitest';
import { classOrder } from './class-order';

describe('classOrder (numpy.unique order of the confusion matrix labels)', () => {
  it('drops duplicates', () => {
    expect(classOrder(['b', 'a', 'b'])).toEqual(['a', 'b']);
  });
  it('sorts numeric classes by value, not as text', () => {
    expect(classOrder(['10', '2', '1', '2'])).toEqual(['1', '2', '10']);
  });
  it('sorts text classes by code point, as Python does', () => {
    expect(classOrder(['b', 'B', 'a', '10'])).toEqual(['10', 'B', 'a', 'b']);
  });
});
