import { describe, expect, it } from 'vitest';
import { AccountBackoff } from './account-backoff';

describe('AccountBackoff', () => {
  it('locks an account after five failed attempts, doubling the lock per further failure', () => {
    let now = 0;
    const backoff = new AccountBackoff(5, 30_000, 15 * 60_000, 24 * 3600_000, 100, () => now);
    for (let i = 0; i < 5; i++) expect(backoff.attempt('a@example.com')).toEqual({ ok: true });
    expect(backoff.attempt('a@example.com')).toEqual({ ok: false, retryAfterS: 30 });
    expect(backoff.attempt('b@example.com')).toEqual({ ok: true });
    now = 30_000;
    expect(backoff.attempt('a@example.com')).toEqual({ ok: true });
    expect(backoff.attempt('a@example.com')).toEqual({ ok: false, retryAfterS: 60 });
    now += 60_000;
    expect(backoff.attempt('a@example.com')).toEqual({ ok: true });
    expect(backoff.attempt('a@example.com')).toEqual({ ok: false, retryAfterS: 120 });
  });

  it('caps the lock, clears on success and forgets after a quiet day', () => {
    let now = 0;
    const backoff = new AccountBackoff(2, 1_000, 10_000, 100_000, 100, () => now);
    expect(backoff.attempt('a').ok).toBe(true);
    const locks: number[] = [];
    for (let i = 0; i < 6; i++) {
      expect(backoff.attempt('a').ok).toBe(true);
      const refused = backoff.attempt('a');
      if (refused.ok) throw new Error('expected a lock');
      locks.push(refused.retryAfterS);
      now += refused.retryAfterS * 1000;
    }
    expect(locks).toEqual([1, 2, 4, 8, 10, 10]);
    backoff.succeed('a');
    expect(backoff.attempt('a')).toEqual({ ok: true });
    expect(backoff.attempt('a')).toEqual({ ok: true });
    expect(backoff.attempt('a')).toEqual({ ok: false, retryAfterS: 1 });
    now += 100_001;
    expect(backoff.attempt('a')).toEqual({ ok: true });
  });

  it('stays bounded in memory', () => {
    let now = 0;
    const backoff = new AccountBackoff(5, 1_000, 10_000, 100_000, 10, () => now);
    for (let i = 0; i < 100; i++) {
      now += 1;
      expect(backoff.attempt(`k${i}`).ok).toBe(true);
    }
    expect(
      (backoff as unknown as { accounts: Map<string, unknown> }).accounts.size,
    ).toBeLessThanOrEqual(10);
  });
});
