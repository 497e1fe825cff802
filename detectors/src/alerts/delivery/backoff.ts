/**
 * The delay before retry number `attempt` (1 after the first failure): exponential from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so receivers that fail together
 * are not retried together. A receiver's Retry-After wins, within the cap.
 */
export function retryDelay(
  attempt: number,
  opts: { baseMs: number; maxMs: number; retryAfterMs?: number; random?: () => number },
): number {
  if (opts.retryAfterMs !== undefined) return Math.min(opts.retryAfterMs, opts.maxMs);
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  return exp / 2 + (exp / 2) * (opts.random ?? Math.random)();
}
