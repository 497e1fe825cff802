import { z } from 'zod';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { count, epochMsToIso } from './codecs';

/** A registered model version; signature and input_spec are JSON (schemas in shadow-runner). */
export interface ModelVersionRow {
  model: string;
  version: string;
  sha256: string;
  size_bytes: number;
  filename: string;
  signature: string;
  input_spec: string;
  description: string;
  created_at: string;
  created_by: string;
}

const modelVersionRow = z.object({
  model: z.string(),
  version: z.string(),
  sha256: z.string(),
  size_bytes: count,
  filename: z.string(),
  signature: z.string(),
  input_spec: z.string(),
  description: z.string(),
  created_at: epochMsToIso,
  created_by: z.string(),
});

const VERSION_COLUMNS = `model, version, sha256, size_bytes, filename, signature, input_spec,
  description, toUnixTimestamp64Milli(created_at) AS created_at, created_by`;

export async function insertModelVersion(
  store: Store,
  row: Omit<ModelVersionRow, 'created_at'> & { created_at: number },
): Promise<void> {
  await store.insert(Tables.modelVersions, [{ ...row, updated_at: row.created_at }]);
}

export async function getModelVersion(
  store: Store,
  model: string,
  version: string,
): Promise<ModelVersionRow | undefined> {
  const rows = await store.query(
    `SELECT ${VERSION_COLUMNS} FROM ${Tables.modelVersions} FINAL
     WHERE model = {model:String} AND version = {version:String}`,
    { model, version },
  );
  return rows[0] ? modelVersionRow.parse(rows[0]) : undefined;
}

export async function listModelVersions(store: Store, model: string): Promise<ModelVersionRow[]> {
  const rows = await store.query(
    `SELECT ${VERSION_COLUMNS} FROM ${Tables.modelVersions} FINAL
     WHERE model = {model:String} ORDER BY created_at, version`,
    { model },
  );
  return rows.map((r) => modelVersionRow.parse(r));
}

export type DeploymentAction = 'promote' | 'rollback';

/** One promote or rollback; the latest row of a model is its production version. */
export interface DeploymentRow {
  id: string;
  model: string;
  version: string;
  /** Production before this change ('' for the first). */
  previous_version: string;
  sha256: string;
  action: DeploymentAction;
  reason: string;
  actor: string;
  /** The alert that triggered an auto-rollback ('' otherwise). */
  alert_id: string;
  /** The shadow run a promote came from ('' otherwise). */
  shadow_run_id: string;
  changed_at: string;
}

const deploymentRow = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  previous_version: z.string(),
  sha256: z.string(),
  action: z.enum(['promote', 'rollback']),
  reason: z.string(),
  actor: z.string(),
  alert_id: z.string(),
  shadow_run_id: z.string(),
  changed_at: epochMsToIso,
});

const DEPLOYMENT_COLUMNS = `toString(id) AS id, model, version, previous_version, sha256, action,
  reason, actor, alert_id, shadow_run_id, toUnixTimestamp64Milli(changed_at) AS changed_at`;

export async function appendDeployment(
  store: Store,
  row: Omit<DeploymentRow, 'changed_at'> & { changed_at: number },
): Promise<void> {
  await store.insert(Tables.deployments, [row]);
}

/** A model's deployments, newest first. */
export async function listDeployments(
  store: Store,
  model: string,
  limit = 100,
): Promise<DeploymentRow[]> {
  const rows = await store.query(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM ${Tables.deployments}
     WHERE model = {model:String} ORDER BY changed_at DESC, id DESC LIMIT {limit:UInt32}`,
    { model, limit },
  );
  return rows.map((r) => deploymentRow.parse(r));
}

export async function latestDeployment(
  store: Store,
  model: string,
): Promise<DeploymentRow | undefined> {
  return (await listDeployments(store, model, 1))[0];
}
