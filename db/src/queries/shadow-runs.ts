import { z } from 'zod';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { count, epochMsToIso } from './codecs';

/** Shadow runs' state rows (the newest updated_at of an id wins). */
export type ShadowRunStatus = 'queued' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export interface ShadowRunRow {
  id: string;
  model: string;
  candidate_version: string;
  mode: string;
  status: ShadowRunStatus;
  request: string;
  rows_total: number;
  rows_done: number;
  provider: string;
  summary: string;
  verdict: string;
  error: string;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

const shadowRunRow = z.object({
  id: z.string(),
  model: z.string(),
  candidate_version: z.string(),
  mode: z.string(),
  status: z.enum(['queued', 'running', 'cancelling', 'done', 'failed', 'cancelled']),
  request: z.string(),
  rows_total: count,
  rows_done: count,
  provider: z.string(),
  summary: z.string(),
  verdict: z.string(),
  error: z.string(),
  created_by: z.string(),
  created_at: epochMsToIso,
  started_at: epochMsToIso.nullable(),
  finished_at: epochMsToIso.nullable(),
  updated_at: epochMsToIso,
});

const RUN_COLUMNS = `toString(id) AS id, model, candidate_version, mode, status, request, rows_total,
  rows_done, provider, summary, verdict, error, created_by,
  toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(started_at) AS started_at,
  toUnixTimestamp64Milli(finished_at) AS finished_at, toUnixTimestamp64Milli(updated_at) AS updated_at`;

type Ms<T> = {
  [K in keyof T]: K extends `${string}_at` ? (null extends T[K] ? number | null : number) : T[K];
};

/** A new state of a run (the newest updated_at wins). */
export async function writeShadowRun(store: Store, row: Ms<ShadowRunRow>): Promise<void> {
  await store.insert(Tables.shadowRuns, [row]);
}

export async function getShadowRun(store: Store, id: string): Promise<ShadowRunRow | undefined> {
  const rows = await store.query(
    `SELECT ${RUN_COLUMNS} FROM ${Tables.shadowRuns} FINAL WHERE id = {id:String}`,
    { id },
  );
  return rows[0] ? (shadowRunRow.parse(rows[0]) as ShadowRunRow) : undefined;
}

export async function listShadowRuns(
  store: Store,
  filter: { model?: string; status?: ShadowRunStatus },
  limit = 100,
): Promise<ShadowRunRow[]> {
  const rows = await store.query(
    `SELECT ${RUN_COLUMNS} FROM ${Tables.shadowRuns} FINAL
     WHERE ({model:String} = '' OR model = {model:String}) AND ({status:String} = '' OR status = {status:String})
     ORDER BY created_at DESC LIMIT {limit:UInt32}`,
    { model: filter.model ?? '', status: filter.status ?? '', limit },
  );
  return rows.map((r) => shadowRunRow.parse(r) as ShadowRunRow);
}
