import { describe, expect, it } from 'vitest';
import { numericBins } from './histogram-bins';

const labels = (b: ReturnType<typeof numericBins>) =>
  Array.from({ length: b.count }, (_, i) => b.label(i));

describe('numericBins', () => {
  it('gives an integer feature one bin per value when they fit: 1, 2, 3, not 0.0, 0.67, 1.3', () => {
    const b = numericBins(1, 5, true, 24);
    expect(labels(b)).toEqual(['1', '2', '3', '4', '5']);
    expect(b).toMatchObject({ lo: 1, width: 1, count: 5 });
  });

  it('groups a wide integer range into runs of whole numbers', () => {
    const b = numericBins(0, 99, true, 24);
    expect(b.width).toBe(5);
    expect(b.count).toBe(20);
    expect(labels(b).slice(0, 3)).toEqual(['0–4', '5–9', '10–14']);
    expect(b.label(19)).toBe('95–99');
  });

  it('keeps equal-width bins for real values', () => {
    const b = numericBins(0, 2, false, 24);
    expect(b.count).toBe(24);
    expect(b.width).toBeCloseTo(2 / 24);
    expect(b.label(12)).toBe('1.0');
  });
});
