import { describe, expect, it } from 'vitest';
import { slicesOf } from './client';

describe('slicesOf', () => {
  const record = (bytes: number) => ({ key: 'm', value: 'x'.repeat(bytes) });

  it('keeps each produce call under the byte budget, in order, and lets a large record go alone', () => {
    const records = [record(40), record(40), record(30), record(100), record(10)];
    expect(slicesOf(records, 100).map((s) => s.map((r) => r.value.length))).toEqual([
      [40, 40],
      [30],
      [100],
      [10],
    ]);
    expect(slicesOf([record(300)], 100).map((s) => s.length)).toEqual([1]);
    expect(slicesOf([], 100)).toEqual([]);
  });
});
