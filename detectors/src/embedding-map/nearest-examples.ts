import { Tables, type Store } from '@osprey/db';
import { resolveReference, type Scope } from '../reference/resolve';
import type { ModelSettings } from '../settings/model-settings';
import { referenceEmbeddings, windowEmbeddings } from '../embeddings/embedding-sql';

/** Neighbours listed for a point. */
export const NEIGHBOURS = 8;
/** Characters of each text shown with an example. */
const TEXT_CHARS = 500;

export interface Example {
  event_id: string;
  timestamp: string;
  /** Cosine distance to the selected point (0 for the point itself). */
  distance: number;
  prediction: number | string | null;
  /** The event's text fields, each cut to TEXT_CHARS. */
  texts: Record<string, string>;
}

export interface NearestExamples {
  name: string;
  point: Example | null;
  /** The window's logged events closest to the point, nearest first. */
  neighbours: Example[];
  /** Cosine distance from the point to the nearest reference vector: large means a new input. */
  nearest_reference_distance: number | null;
  reason?: string;
}

/**
 * "What are the new inputs?": a logged event of the window (a point on the embedding map), its
 * nearest logged neighbours in the window by cosine distance over the whole vector, with their
 * texts and predictions, and how far the nearest reference vector is. Brute force in ClickHouse
 * (one distance per row of the window and of the reference).
 */
export async function nearestExamples(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  name: string,
  eventId: string,
): Promise<NearestExamples> {
  const empty = { name, point: null, neighbours: [], nearest_reference_distance: null };
  const rows = windowEmbeddings('em', scope, name);
  const [found] = await store.query<{ vector: number[] }>(
    `SELECT vector FROM (${rows.sql}) WHERE event_id = {em_event:UUID} LIMIT 1`,
    { ...rows.params, em_event: eventId },
  );
  if (!found) return { ...empty, reason: `no "${name}" vector of event ${eventId} in the window` };
  const q = found.vector;
  const near = await store.query<{ id: string; distance: number }>(
    `SELECT toString(event_id) AS id, cosineDistance(vector, {em_q:Array(Float32)}) AS distance
     FROM (${rows.sql}) WHERE length(vector) = {q_dim:UInt32}
     ORDER BY distance, id LIMIT ${NEIGHBOURS + 1}`,
    { ...rows.params, em_q: q, q_dim: q.length },
  );
  const ref = await resolveReference(store, settings, { ...scope, segment: undefined });
  let nearestReference: number | null = null;
  if (ref) {
    const refRows = referenceEmbeddings(ref, scope, name);
    const [r] = await store.query<{ d: number | null }>(
      `SELECT if(count() = 0, NULL, min(cosineDistance(vector, {rq:Array(Float32)}))) AS d
       FROM (${refRows.sql}) WHERE length(vector) = {rdim:UInt32}`,
      { ...refRows.params, rq: q, rdim: q.length },
    );
    nearestReference = r?.d ?? null;
  }
  const examples = await describe(store, scope, [eventId, ...near.map((n) => n.id)]);
  const distance = new Map(near.map((n) => [n.id, n.distance]));
  const example = (id: string): Example => ({
    event_id: id,
    distance: id === eventId ? 0 : distance.get(id)!,
    timestamp: examples.get(id)?.timestamp ?? '',
    prediction: examples.get(id)?.prediction ?? null,
    texts: examples.get(id)?.texts ?? {},
  });
  return {
    name,
    point: example(eventId),
    neighbours: near
      .filter((n) => n.id !== eventId)
      .slice(0, NEIGHBOURS)
      .map((n) => example(n.id)),
    nearest_reference_distance: nearestReference,
  };
}

/** Each event's timestamp, prediction and texts, read by event id within the window. */
async function describe(
  store: Store,
  scope: Scope,
  ids: string[],
): Promise<
  Map<
    string,
    { timestamp: string; prediction: number | string | null; texts: Record<string, string> }
  >
> {
  const params = {
    d_model: scope.model,
    d_from: scope.window.from,
    d_to: scope.window.to,
    d_ids: ids,
  };
  const inWindow = `model = {d_model:String}
    AND timestamp >= fromUnixTimestamp64Milli({d_from:Int64}, 'UTC')
    AND timestamp < fromUnixTimestamp64Milli({d_to:Int64}, 'UTC')
    AND event_id IN {d_ids:Array(UUID)}`;
  const [predictions, texts] = await Promise.all([
    store.query<{ id: string; ms: string; pn: number | null; pl: string | null }>(
      `SELECT toString(event_id) AS id, toUnixTimestamp64Milli(timestamp) AS ms,
              prediction_num AS pn, prediction_label AS pl
       FROM ${Tables.predictions} WHERE ${inWindow}`,
      params,
    ),
    store.query<{ id: string; name: string; text: string }>(
      `SELECT toString(event_id) AS id, name, substringUTF8(text, 1, ${TEXT_CHARS}) AS text
       FROM ${Tables.predictionTexts} WHERE ${inWindow}`,
      params,
    ),
  ]);
  const out = new Map<
    string,
    { timestamp: string; prediction: number | string | null; texts: Record<string, string> }
  >();
  for (const p of predictions) {
    out.set(p.id, {
      timestamp: new Date(Number(p.ms)).toISOString(),
      prediction: p.pn ?? p.pl,
      texts: {},
    });
  }
  for (const t of texts) {
    const e = out.get(t.id) ?? { timestamp: '', prediction: null, texts: {} };
    e.texts[t.name] = t.text;
    out.set(t.id, e);
  }
  return out;
}
