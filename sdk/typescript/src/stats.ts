import type { OspreyStats } from './types';

/** The client's counters; mutated in place, copied out by `stats()`. */
export function createCounters(): OspreyStats {
  return {
    queued: 0,
    inFlight: 0,
    sent: 0,
    dropped: 0,
    rejected: 0,
    failed: 0,
    invalid: 0,
    retries: 0,
  };
}
