import type { Store } from '@osprey/db';
import type { Scope } from '../reference/resolve';

/**
 * The names (embeddings, text fields) each scope's window logged in a side table of predictions
 * (prediction_embeddings, prediction_texts), sorted, per model. One statement for every scope: a
 * batch's whole models, or one scope (a version narrows it; side tables carry no tags, so a
 * segment's window holds its model's names).
 */
export async function loggedNamesOf(
  store: Store,
  table: string,
  scopes: readonly Scope[],
): Promise<Map<string, string[]>> {
  const out = new Map(scopes.map((s) => [s.model, [] as string[]]));
  if (scopes.length === 0) return out;
  const version = scopes.length === 1 ? scopes[0]!.version : undefined;
  const rows = await store.query<{ model: string; name: string }>(
    `SELECT DISTINCT CAST(model, 'String') AS model, CAST(name, 'String') AS name FROM ${table}
     WHERE model IN {models:Array(String)}
       AND timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
       AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
       AND toUnixTimestamp64Milli(timestamp) >= transform(CAST(model, 'String'), {models:Array(String)}, {froms:Array(Int64)}, toInt64(0))
       AND toUnixTimestamp64Milli(timestamp) < transform(CAST(model, 'String'), {models:Array(String)}, {tos:Array(Int64)}, toInt64(0))
       ${version !== undefined ? 'AND version = {version:String}' : ''}
     ORDER BY model, name`,
    {
      models: scopes.map((s) => s.model),
      from: Math.min(...scopes.map((s) => s.window.from)),
      to: Math.max(...scopes.map((s) => s.window.to)),
      froms: scopes.map((s) => s.window.from),
      tos: scopes.map((s) => s.window.to),
      version: version ?? '',
    },
  );
  for (const r of rows) out.get(r.model)?.push(r.name);
  return out;
}
