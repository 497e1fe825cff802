import { z } from 'zod';

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .positive('must be > 0')
    .default(fallback);

/** The collector's settings; the launcher parses them once with the rest of its process's env. */
export const collectorEnv = z.object({
  OSPREY_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
  OSPREY_BATCH_MAX_ROWS: positiveInt(10_000),
  OSPREY_INSERT_MIN_INTERVAL_MS: positiveInt(50),
  OSPREY_WRITER_MAX_BUFFERED_ROWS: positiveInt(200_000),
  OSPREY_MAX_CONCURRENT_PARSES: positiveInt(4),
  OSPREY_MAX_WAITING_REQUESTS: positiveInt(256),
  /** Raw request-body bytes held at once across requests being read or waiting to be parsed. */
  OSPREY_MAX_BUFFERED_BODY_BYTES: positiveInt(256 * 1024 * 1024),
  /** Seconds an event's timestamp may be ahead of the collector's clock. */
  OSPREY_MAX_CLOCK_SKEW: positiveInt(3600),
});

export type CollectorEnv = z.infer<typeof collectorEnv>;
