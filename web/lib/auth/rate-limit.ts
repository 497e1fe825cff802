/**
 * Login attempts per (email, client IP): a token bucket of `burst` attempts refilled at one per
 * `refillMs`. In memory, per process — an `osprey web` replica counts its own attempts, which is
 * enough to make online guessing slow (5 tries, then one a minute) without a shared store. A
 * successful login empties the record for that key.
 */
export class LoginRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst = 5,
    private readonly refillMs = 60_000,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one attempt; `retryAfterS` is set when there is none left. */
  take(key: string): { ok: true } | { ok: false; retryAfterS: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    const tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterS: Math.ceil(((1 - tokens) * this.refillMs) / 1000) };
    }
    if (this.buckets.size >= this.maxKeys && !this.buckets.has(key)) this.prune(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return { ok: true };
  }

  reset(key: string): void {
    this.buckets.delete(key);
  }

  /** Drops full buckets (they equal a fresh one); if all are in use, the oldest half. */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) / this.refillMs >= this.burst) this.buckets.delete(key);
    }
    if (this.buckets.size < this.maxKeys) return;
    let drop = this.buckets.size / 2;
    for (const key of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
