import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff';

describe('backoffDelay', () => {
  it('draws uniformly below a ceiling that doubles from the base up to the cap', () => {
    expect(backoffDelay(0, 200, 30_000, () => 0.999)).toBe(199);
    expect(backoffDelay(3, 200, 30_000, () => 0.5)).toBe(800);
    expect(backoffDelay(10, 200, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(1000, 200, 30_000, () => 0.5)).toBe(15_000);
    expect(backoffDelay(5, 200, 30_000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
  });
  it('reads an HTTP date, never into the past', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores what is neither', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
