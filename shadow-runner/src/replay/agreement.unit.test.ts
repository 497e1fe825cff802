import { describe, expect, it } from 'vitest';
import { Agreement } from './agreement';

describe('Agreement', () => {
  it('is the mean and largest absolute difference over pairs with both sides', () => {
    const a = new Agreement();
    a.addNumber(10, 12);
    a.addNumber(5, 1);
    a.addNumber(null, 3);
    a.addNumber(Number.NaN, 3);
    a.addNumber(7, 7);
    expect(a.numeric()).toEqual({ compared: 3, mae: 2, max_abs_diff: 4 });
  });

  it('is the share of equal labels over pairs with both sides', () => {
    const a = new Agreement();
    for (const [x, y] of [
      ['1', '1'],
      ['0', '1'],
      ['1', null],
      ['0', '0'],
      ['1', '1'],
    ] as const)
      a.addLabel(x, y);
    expect(a.labels()).toEqual({ compared: 4, agreement: 0.75 });
  });

  it('has nothing to report before a pair is compared', () => {
    expect(new Agreement().numeric()).toEqual({ compared: 0, mae: null, max_abs_diff: null });
    expect(new Agreement().labels()).toEqual({ compared: 0, agreement: null });
  });
});
