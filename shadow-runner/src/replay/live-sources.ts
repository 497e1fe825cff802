import { liveTail, type LiveCursor, type ReplayRow, type Store } from '@osprey/db';
import type { LiveFeed, LivePrediction } from '@osprey/ingest';

/** What a live mirror reads: new events of its model, sampled, oldest first. */
export interface LiveSource {
  /** Up to `max` events that arrived since the last call (none: nothing new yet). */
  next(max: number): Promise<ReplayRow[]>;
  /** Events sampled but dropped because the candidate could not keep up (feed sources only). */
  readonly dropped: number;
  close(): Promise<void>;
}

export interface LiveFilter {
  model: string;
  version?: string;
  sampleRate: number;
  /** Feature names, in the order of ReplayRow.x. */
  columns: readonly string[];
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** The table source takes events whose insert is at least this old (inserts in flight settle). */
const TABLE_LAG_MS = 500;

/**
 * Without a feed (a shadow runner on a ClickHouse server with no Kafka): the predictions table
 * read from a cursor over received_at, sampled by cityHash64(event_id) in ClickHouse.
 */
export function tableSource(store: Store, filter: LiveFilter, since: number): LiveSource {
  let cursor: LiveCursor = { received: since, event_id: ZERO_UUID };
  const source = {
    model: filter.model,
    version: filter.version,
    sampleRate: filter.sampleRate,
    since,
  };
  return {
    dropped: 0,
    async next(max) {
      const rows = await liveTail(
        store,
        source,
        filter.columns,
        cursor,
        Date.now() - TABLE_LAG_MS,
        max,
      );
      const last = rows.at(-1);
      if (last) cursor = { received: last.received, event_id: last.event_id };
      return rows;
    },
    close: async () => undefined,
  };
}

/**
 * From a feed (the embedded collector's tap, or the predictions topic in the group
 * `osprey-shadow`): events arrive pushed, as soon as they are stored, and wait in a bounded
 * queue. When the candidate falls behind by more than `capacity` events, new ones are dropped
 * and counted rather than let memory grow.
 */
export async function feedSource(
  feed: LiveFeed,
  filter: LiveFilter,
  capacity: number,
): Promise<LiveSource> {
  const queue: ReplayRow[] = [];
  let dropped = 0;
  const threshold = filter.sampleRate * 2 ** 32;
  const unsubscribe = await feed.subscribe((events) => {
    for (const e of events) {
      if (e.model !== filter.model) continue;
      if (filter.version !== undefined && e.version !== filter.version) continue;
      if (sampleHash(e.event_id) >= threshold) continue;
      if (queue.length >= capacity) dropped++;
      else queue.push(toReplayRow(e, filter.columns));
    }
  });
  return {
    get dropped() {
      return dropped;
    },
    next: async (max) => queue.splice(0, max),
    close: unsubscribe,
  };
}

/** A feature as the table source reads it: a number as is, a boolean as 1/0, anything else NaN. */
export function toReplayRow(e: LivePrediction, columns: readonly string[]): ReplayRow {
  const x = new Array<number>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const v = e.features[columns[i]!];
    x[i] = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
  }
  return {
    event_id: e.event_id,
    ts: e.timestamp,
    version: e.version,
    x,
    prediction_num: e.prediction_num,
    prediction_label: e.prediction_label,
  };
}

/** FNV-1a over the event id: the same events are sampled however batches arrive. */
export function sampleHash(eventId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) {
    h ^= eventId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
