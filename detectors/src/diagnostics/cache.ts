import { Tables, type Store } from '@osprey/db';
import type { Scope } from '../reference/resolve';
import type { ModelSettings } from '../settings/model-settings';
import { predictionRows } from '../sql/rows';
import { diagnose, type DiagnoseOptions, type Diagnostics } from './diagnose';

/** Diagnoses kept per process (a document is at most a few hundred kB). */
const MAX_ENTRIES = 50;

/**
 * Diagnoses by what they were asked; each with the fingerprint of the rows it was computed on.
 * Insertion-ordered, so the oldest entry is evicted first.
 */
type Entry = { fingerprint: string; diagnostics: Diagnostics };
const caches = new WeakMap<Store, Map<string, Entry>>();

/**
 * What a diagnosis depends on, read cheaply: the model's labels (count, newest arrival) and the
 * scope's predictions (count, newest arrival). Both tables only grow (retention drops whole
 * days, which lowers a count), so an unchanged fingerprint means unchanged rows.
 */
async function fingerprint(store: Store, scope: Scope): Promise<string> {
  const cur = predictionRows('cur', { ...scope, ...scope.window });
  const [r] = await store.query<Record<string, string>>(
    `SELECT (SELECT tuple(count(), max(received_at)) FROM ${Tables.labels}
             WHERE model = {cur_model:String}) AS labels,
            (SELECT tuple(count(), max(received_at)) FROM (${cur.sql})) AS predictions`,
    cur.params,
  );
  return JSON.stringify(r);
}

/**
 * diagnose(), answered from the last computation of the same question while no label or
 * prediction it reads has arrived since: the dashboard refreshes every 30 s, and a diagnosis of a
 * million labelled rows takes seconds.
 */
export async function cachedDiagnose(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  opts: DiagnoseOptions = {},
): Promise<Diagnostics> {
  const cache = caches.get(store) ?? new Map<string, Entry>();
  caches.set(store, cache);
  const key = JSON.stringify([scope, opts, settings]);
  const print = await fingerprint(store, scope);
  const hit = cache.get(key);
  if (hit && hit.fingerprint === print) return hit.diagnostics;
  const diagnostics = await diagnose(store, settings, scope, opts);
  cache.delete(key);
  cache.set(key, { fingerprint: print, diagnostics });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return diagnostics;
}
