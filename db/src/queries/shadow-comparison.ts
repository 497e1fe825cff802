import type { Store } from '../store/store';
import { Tables } from '../tables';
import { shadowEvents } from './shadow-batches';

/** A run's outputs side by side, small enough to chart: what the dashboard's run page draws. */
export interface ShadowComparison {
  /**
   * Up to `points` events (the same ones on every read: the lowest cityHash64(event_id); a run
   * writes per-event rows for every event below its sample bound, so these are among them).
   */
  scatter: { production: number; candidate: number }[];
  /** candidate − production in equal-width bins between the 0.5th and 99.5th percentiles. */
  diff_histogram: { from: number; to: number; count: number }[];
  /** Classification: events per (production label, candidate label), most frequent first. */
  confusion: { production: string; candidate: string; count: number }[];
  /** The versions that logged the replayed events (production then), most events first. */
  logged_by: { version: string; count: number }[];
}

const num = (v: unknown) => Number(v);

export async function shadowComparison(
  store: Store,
  runId: string,
  opts: { points?: number; bins?: number } = {},
): Promise<ShadowComparison> {
  const points = opts.points ?? 1500;
  const bins = opts.bins ?? 40;
  const where = `run_id = toUUID({id:String})`;
  const [scatter, bounds, confusion, loggedBy] = await Promise.all([
    store.query<{ p: number; c: number }>(
      `SELECT production_num AS p, candidate_num AS c FROM ${Tables.shadowResults}
       WHERE ${where} AND production_num IS NOT NULL AND candidate_num IS NOT NULL
       ORDER BY cityHash64(event_id) LIMIT {points:UInt32}`,
      { id: runId, points },
    ),
    store.query<{ lo: number | null; hi: number | null; n: string }>(
      `SELECT q[1] AS lo, q[2] AS hi, n FROM (
         SELECT quantilesExactOrNull(0.005, 0.995)(candidate_num - production_num) AS q,
                countIf(production_num IS NOT NULL AND candidate_num IS NOT NULL) AS n
         FROM ${shadowEvents('run')})`,
      { id: runId },
    ),
    store.query<{ p: string; c: string; n: string }>(
      `SELECT production_label AS p, candidate_label AS c, count() AS n FROM ${shadowEvents('run')}
       WHERE production_label IS NOT NULL AND candidate_label IS NOT NULL
       GROUP BY p, c ORDER BY n DESC, p, c LIMIT 100`,
      { id: runId },
    ),
    store.query<{ v: string; n: string }>(
      `SELECT production_version AS v, count() AS n FROM ${shadowEvents('run')}
       GROUP BY v ORDER BY n DESC, v LIMIT 20`,
      { id: runId },
    ),
  ]);
  return {
    scatter: scatter.map((r) => ({ production: num(r.p), candidate: num(r.c) })),
    diff_histogram: await histogram(store, runId, bounds[0], bins),
    confusion: confusion.map((r) => ({ production: r.p, candidate: r.c, count: num(r.n) })),
    logged_by: loggedBy.map((r) => ({ version: r.v, count: num(r.n) })),
  };
}

async function histogram(
  store: Store,
  runId: string,
  bounds: { lo: number | null; hi: number | null; n: string } | undefined,
  bins: number,
): Promise<ShadowComparison['diff_histogram']> {
  if (!bounds || Number(bounds.n) === 0 || bounds.lo === null || bounds.hi === null) return [];
  const lo = num(bounds.lo);
  // Identical outputs: one bin holding every event, centred on the difference.
  if (num(bounds.hi) <= lo) return [{ from: lo, to: lo, count: Number(bounds.n) }];
  const width = (num(bounds.hi) - lo) / bins;
  // Values outside the percentiles are clamped into the first and last bins.
  const rows = await store.query<{ b: number; n: string }>(
    `SELECT least(greatest(toInt32(floor((candidate_num - production_num - {lo:Float64}) / {width:Float64})), 0),
              {last:Int32}) AS b, count() AS n
     FROM ${shadowEvents('run')}
     WHERE production_num IS NOT NULL AND candidate_num IS NOT NULL
     GROUP BY b ORDER BY b`,
    { id: runId, lo, width, last: bins - 1 },
  );
  const counts = new Map(rows.map((r) => [num(r.b), num(r.n)]));
  return Array.from({ length: bins }, (_, i) => ({
    from: lo + i * width,
    to: lo + (i + 1) * width,
    count: counts.get(i) ?? 0,
  }));
}

/** Every model with a registered version, by name. */
export async function listRegisteredModels(store: Store): Promise<string[]> {
  const rows = await store.query<{ model: string }>(
    `SELECT DISTINCT model FROM ${Tables.modelVersions} FINAL ORDER BY model`,
  );
  return rows.map((r) => r.model);
}
