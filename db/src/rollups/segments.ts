import { createHash } from 'node:crypto';
import type { Store } from '../store/store';
import { Tables } from '../tables';

/** The keys ever configured as segments of a model's settings, as 0050–0054 select them. */
const CONFIGURED_KEYS = `SELECT arrayJoin(JSONExtract(settings, 'segments', 'Array(String)')) AS key,
         min(updated_at) AS since
  FROM ${Tables.modelSettings} WHERE model = {model:String} GROUP BY key`;

/**
 * Whether the segment rollups hold `tag` for `model`: once a key is configured in the model's
 * settings it is rolled up for good (removing it later does not stop the view), and what came
 * before was backfilled when it was configured.
 */
export async function segmentRolledUp(store: Store, model: string, tag: string): Promise<boolean> {
  const rows = await store.query<{ key: string }>(
    `SELECT key FROM (${CONFIGURED_KEYS}) WHERE key = {tag:String}`,
    { model, tag },
  );
  return rows.length > 0;
}

/**
 * Rolls up the predictions of `model` received before `tag` was first configured as a segment:
 * from then on the view (0053) takes them as they arrive. Call after storing the settings that
 * add the key; a second call for the same configuration is deduplicated by its insert token.
 */
export async function backfillSegmentRollups(
  store: Store,
  input: { model: string; tag: string },
): Promise<void> {
  const [first] = await store.query<{ since: string }>(
    `SELECT toString(toUnixTimestamp64Milli(since)) AS since FROM (${CONFIGURED_KEYS})
     WHERE key = {tag:String}`,
    input,
  );
  if (!first) return;
  // Hex only, so the token can be spelled in SETTINGS (which takes no bound parameters).
  const token = createHash('sha256')
    .update(JSON.stringify([input.model, input.tag, first.since]))
    .digest('hex');
  await store.command(
    `INSERT INTO ${Tables.predictionsSegments1m}
     SETTINGS insert_deduplication_token = 'osprey-segment-backfill-${token}'
     SELECT model, tag, value, version, toStartOfMinute(timestamp) AS minute, count(),
            countIf(error != ''), count(latency_ms),
            quantilesDDState(0.01, 0.5, 0.95, 0.99)(latency_ms), max(timestamp)
     FROM ${Tables.predictions}
     ARRAY JOIN mapKeys(tags) AS tag, mapValues(tags) AS value
     WHERE model = {model:String} AND tag = {tag:String}
       AND received_at < fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     GROUP BY model, tag, value, version, minute
     ORDER BY value, version, minute`,
    { ...input, since: Number(first.since) },
  );
}
