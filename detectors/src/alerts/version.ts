let last = 0;

/**
 * The version column of the ReplacingMergeTree tables: microseconds since the epoch, strictly
 * increasing within the process, so two writes of one key in the same millisecond keep their order.
 */
export function nextVersion(): number {
  last = Math.max(Date.now() * 1_000, last + 1);
  return last;
}
