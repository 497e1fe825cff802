import { Tables, type QueryParams } from '@osprey/db';
import type { Reference, Scope } from '../reference/resolve';

/** Vectors of one embedding name: `vector`, and `event_id` where the rows are predictions. */
export interface VectorRows {
  sql: string;
  params: QueryParams;
  /** Logged predictions (event_id, timestamp) rather than reference dataset rows. */
  events: boolean;
}

/** One embedding's vectors logged in [from, to) (of one version when the scope names one). */
export function loggedVectors(scope: Scope, name: string, from: number, to: number): VectorRows {
  return {
    sql: `SELECT event_id, timestamp, vector FROM ${Tables.predictionEmbeddings}
          WHERE model = {em_model:String} AND name = {em_name:String}
            AND timestamp >= fromUnixTimestamp64Milli({em_from:Int64}, 'UTC')
            AND timestamp < fromUnixTimestamp64Milli({em_to:Int64}, 'UTC')
            ${scope.version === undefined ? '' : 'AND version = {em_version:String}'}`,
    params: {
      em_model: scope.model,
      em_name: name,
      em_from: from,
      em_to: to,
      em_version: scope.version ?? '',
    },
    events: true,
  };
}

/** The reference's vectors of one embedding: the dataset's rows, or the range's predictions. */
export function referenceVectors(ref: Reference, scope: Scope, name: string): VectorRows {
  if (ref.source === 'dataset') {
    return {
      sql: `SELECT timestamp, vector FROM ${Tables.referenceEmbeddings}
            WHERE model = {em_model:String} AND reference_id = {em_ref:String} AND name = {em_name:String}`,
      params: { em_model: scope.model, em_ref: ref.detail.reference_id!, em_name: name },
      events: false,
    };
  }
  const range = { ...scope, version: scope.version };
  return loggedVectors(range, name, Date.parse(ref.detail.from!), Date.parse(ref.detail.to!));
}
