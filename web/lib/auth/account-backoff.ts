/**
 * Failed logins per account (normalized email), whatever address they come from: from the
 * `free`-th failure on, each locks the account for `baseMs`, doubled per failure up to `maxMs`.
 * While locked every attempt is refused, the right password too, so guessing one account from
 * many addresses gets a handful of tries, then one per lock. A success clears the record;
 * failures are forgotten after `forgetMs` without one. In memory, per process, bounded in size.
 */
export class AccountBackoff {
  private readonly accounts = new Map<
    string,
    { failures: number; lockedUntil: number; at: number }
  >();

  constructor(
    private readonly free = 5,
    private readonly baseMs = 30_000,
    private readonly maxMs = 15 * 60_000,
    private readonly forgetMs = 24 * 3600_000,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes an attempt for `account`, or refuses it with `retryAfterS` while the account is locked.
   * A taken attempt counts as a failure at once (so concurrent guesses cannot all slip in before
   * the first wrong password is known) until `succeed` clears it.
   */
  attempt(account: string): { ok: true } | { ok: false; retryAfterS: number } {
    const now = this.now();
    const record = this.current(account, now);
    const wait = record ? record.lockedUntil - now : 0;
    if (wait > 0) return { ok: false, retryAfterS: Math.ceil(wait / 1000) };
    const failures = (record?.failures ?? 0) + 1;
    const lockMs =
      failures < this.free
        ? 0
        : Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - this.free, 30));
    if (this.accounts.size >= this.maxKeys && !this.accounts.has(account)) this.prune(now);
    this.accounts.set(account, { failures, lockedUntil: now + lockMs, at: now });
    return { ok: true };
  }

  /** The right password: the account starts afresh. */
  succeed(account: string): void {
    this.accounts.delete(account);
  }

  private current(account: string, now: number) {
    const record = this.accounts.get(account);
    if (record && now - record.at > this.forgetMs) {
      this.accounts.delete(account);
      return undefined;
    }
    return record;
  }

  /** Drops forgotten and unlocked records first; if all are locked, the oldest half. */
  private prune(now: number): void {
    for (const [key, r] of this.accounts) {
      if (now - r.at > this.forgetMs || r.lockedUntil <= now) this.accounts.delete(key);
    }
    if (this.accounts.size < this.maxKeys) return;
    let drop = this.accounts.size / 2;
    for (const key of this.accounts.keys()) {
      if (drop-- <= 0) break;
      this.accounts.delete(key);
    }
  }
}
