import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './rate-limit';

describe('LoginRateLimiter', () => {
  it('allows a burst, then one attempt per refill interval, per key', () => {
    let now = 0;
    const limiter = new LoginRateLimiter(3, 60_000, 100, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('a|1.2.3.4')).toEqual({ ok: true });
    expect(limiter.take('a|1.2.3.4')).toEqual({ ok: false, retryAfterS: 60 });
    expect(limiter.take('b|1.2.3.4')).toEqual({ ok: true });
    now = 30_000;
    expect(limiter.take('a|1.2.3.4')).toEqual({ ok: false, retryAfterS: 30 });
    now = 60_000;
    expect(limiter.take('a|1.2.3.4')).toEqual({ ok: true });
    expect(limiter.take('a|1.2.3.4').ok).toBe(false);
    limiter.reset('a|1.2.3.4');
    expect(limiter.take('a|1.2.3.4')).toEqual({ ok: true });
  });

  it('stays bounded in memory', () => {
    let now = 0;
    const limiter = new LoginRateLimiter(2, 1000, 10, () => now);
    for (let i = 0; i < 100; i++) {
      now += 1;
      expect(limiter.take(`k${i}`).ok).toBe(true);
    }
    expect(
      (limiter as unknown as { buckets: Map<string, unknown> }).buckets.size,
    ).toBeLessThanOrEqual(10);
  });
});
