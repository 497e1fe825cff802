import { randomUUID } from 'node:crypto';
import {
  countReplayRows,
  getShadowRun,
  listShadowRuns,
  loggedFeatures,
  recordAudit,
  writeShadowRun,
  type ReplayRange,
  type ShadowRunRow,
  type Store,
} from '@osprey/db';
import { RegistryError, type DeploymentChange, type ModelVersion } from '../api';
import type { Deployments } from '../registry/deployments';
import { specFeatures } from '../registry/input-spec';
import type { ModelRegistry } from '../registry/registry';
import { chooseOutput, type Task } from './compare';
import type {
  LiveRunRequest,
  ShadowRun,
  ShadowRunRequest,
  Verdict,
  VerdictCriteria,
} from './schema';
import { productionToCompare } from './side-by-side';

export const CANCEL_ACTION = 'shadow_run.cancel';

/**
 * The API side of shadow runs: checks a request before anything runs, queues it, reads runs
 * back with their progress, cancels, and promotes on a passing verdict. The runs themselves are
 * executed by a ShadowRunner (this process or `osprey shadow-runner`), which picks queued rows.
 */
export class ShadowRuns {
  constructor(
    private readonly store: Store,
    private readonly registry: ModelRegistry,
    private readonly deployments: Deployments,
  ) {}

  private wake: () => void = () => undefined;

  /** What to call when a run is queued (a runner in this process starts it at once). */
  onQueued(wake: () => void): void {
    this.wake = wake;
  }

  async create(model: string, request: ShadowRunRequest, actor: string): Promise<ShadowRun> {
    const candidate = await this.registry.require(model, request.candidate_version);
    const { task } = chooseOutput(candidate.signature, request.output);
    checkMaeDelta(task, request.criteria);
    if (request.criteria.min_speedup != null) {
      const production = await productionToCompare(
        this.store,
        this.registry,
        model,
        candidate.version,
      );
      if ('skipped' in production)
        throw new RegistryError(
          400,
          `a speed-up is measured against production's registered model, and ${production.skipped}`,
          'criteria.min_speedup',
        );
    }
    const range = { model, from: request.from, to: request.to, version: request.version };
    const when = `between ${new Date(request.from).toISOString()} and ${new Date(request.to).toISOString()}`;
    await this.checkFeatures(candidate, range, when);
    const available = await countReplayRows(this.store, range);
    if (available === 0)
      throw new RegistryError(400, `${model} has no logged predictions ${when}`, 'from');
    return this.queue(
      model,
      'replay',
      candidate.version,
      request,
      Math.min(available, request.limit ?? Infinity),
      actor,
    );
  }

  /**
   * Queues a live mirror. Its input spec is checked against the last week of logged events when
   * there are any (a model whose traffic has not started yet is taken on trust).
   */
  async createLive(model: string, request: LiveRunRequest, actor: string): Promise<ShadowRun> {
    const candidate = await this.registry.require(model, request.candidate_version);
    checkMaeDelta(chooseOutput(candidate.signature, request.output).task, request.criteria);
    if (request.criteria.min_speedup != null)
      throw new RegistryError(
        400,
        'speed-up is measured in replays only (a live mirror runs the candidate alone)',
        'criteria.min_speedup',
      );
    const now = Date.now();
    const range = { model, from: now - 7 * 86_400_000, to: now + 60_000, version: request.version };
    if ((await countReplayRows(this.store, range)) > 0)
      await this.checkFeatures(candidate, range, 'in the last 7 days');
    return this.queue(model, 'live', candidate.version, request, 0, actor);
  }

  private async checkFeatures(
    candidate: ModelVersion,
    range: ReplayRange,
    when: string,
  ): Promise<void> {
    const logged = await loggedFeatures(this.store, range);
    for (const feature of specFeatures(candidate.input_spec)) {
      const kinds = logged.get(feature);
      if (!kinds)
        throw new RegistryError(
          400,
          `the input spec of ${range.model} ${candidate.version} reads feature "${feature}", which was never logged ${when} (logged: ${[...logged.keys()].sort().join(', ') || 'nothing'})`,
          'candidate_version',
        );
      if (!kinds.has('number') && !kinds.has('boolean') && kinds.has('string'))
        throw new RegistryError(
          400,
          `feature "${feature}" is logged as text; input specs feed numbers and booleans`,
          'candidate_version',
        );
    }
  }

  private async queue(
    model: string,
    mode: 'replay' | 'live',
    version: string,
    request: ShadowRunRequest | LiveRunRequest,
    rowsTotal: number,
    actor: string,
  ): Promise<ShadowRun> {
    const now = Date.now();
    const row = {
      id: randomUUID(),
      model,
      candidate_version: version,
      mode,
      status: 'queued' as const,
      request: JSON.stringify(request),
      rows_total: rowsTotal,
      rows_done: 0,
      provider: '',
      summary: '',
      verdict: '',
      error: '',
      created_by: actor,
      created_at: now,
      started_at: null,
      finished_at: null,
      updated_at: now,
    };
    await writeShadowRun(this.store, row);
    await recordAudit(this.store, {
      actor,
      action: 'shadow_run.create',
      target: row.id,
      details: { model, ...request },
    });
    this.wake();
    return this.require(row.id);
  }

  async get(id: string): Promise<ShadowRun | undefined> {
    const row = await getShadowRun(this.store, id);
    return row && toRun(row);
  }

  async require(id: string, model?: string): Promise<ShadowRun> {
    const run = await this.get(id);
    if (!run || (model !== undefined && run.model !== model))
      throw new RegistryError(404, `no shadow run ${id}${model ? ` for ${model}` : ''}`);
    return run;
  }

  async list(model: string): Promise<ShadowRun[]> {
    return (await listShadowRuns(this.store, { model })).map(toRun);
  }

  /** A queued run is cancelled at once; a running one stops after its current batch. */
  async cancel(model: string, id: string, actor: string): Promise<ShadowRun> {
    const row = await getShadowRun(this.store, id);
    if (!row || row.model !== model)
      throw new RegistryError(404, `no shadow run ${id} for ${model}`);
    if (row.status !== 'queued' && row.status !== 'running')
      throw new RegistryError(
        409,
        `shadow run ${id} is ${row.status}; only queued or running runs can be cancelled`,
      );
    // The audit row is the cancellation the runner polls for: append-only, so no state row can hide it.
    await recordAudit(this.store, { actor, action: CANCEL_ACTION, target: id, details: { model } });
    const now = Date.now();
    const status = row.status === 'queued' ? 'cancelled' : 'cancelling';
    await writeShadowRun(this.store, {
      ...rowToMs(row),
      status,
      finished_at: status === 'cancelled' ? now : null,
      updated_at: Math.max(now, Date.parse(row.updated_at) + 1),
    });
    return this.require(id);
  }

  /** Promotes the run's candidate: only on a promote verdict, unless `force` (admin, audited). */
  async promote(
    model: string,
    id: string,
    input: { reason?: string; force: boolean; actor: string },
  ): Promise<DeploymentChange> {
    const run = await this.require(id, model);
    // A live mirror has a verdict while it runs (refreshed) and after it is stopped.
    const judged = run.status === 'done' || (run.mode === 'live' && run.verdict !== null);
    if (!judged)
      throw new RegistryError(409, `shadow run ${id} is ${run.status}; promote after it is done`);
    if (run.verdict?.decision !== 'promote' && !input.force) {
      const failed = run.verdict?.checks
        .filter((c) => c.pass === false)
        .map((c) => `${c.name} ${c.value} vs ${c.threshold}`);
      throw new RegistryError(
        409,
        `the verdict is hold (${failed?.join('; ') ?? 'no verdict'}); pass force: true to promote anyway`,
      );
    }
    // A promotion against a hold verdict says so in the deployment log, whatever reason was given.
    const forced =
      input.force && run.verdict?.decision !== 'promote' ? ' (forced past a hold verdict)' : '';
    return this.deployments.promote({
      model,
      version: run.candidate_version,
      reason: `${input.reason ?? `shadow run ${id}: verdict ${run.verdict?.decision ?? 'none'}`}${forced}`,
      actor: input.actor,
      shadowRunId: id,
    });
  }
}

function checkMaeDelta(task: Task, criteria: VerdictCriteria): void {
  if (task === 'classification' && criteria.max_mae_delta != null)
    throw new RegistryError(
      400,
      'the candidate answers with labels (classification); an MAE delta applies to regression outputs',
      'criteria.max_mae_delta',
    );
}

/** A state row with its times as epoch ms, as writeShadowRun takes it. */
export function rowToMs(row: ShadowRunRow) {
  const t = (s: string | null) => (s === null ? null : Date.parse(s));
  return {
    ...row,
    created_at: Date.parse(row.created_at),
    started_at: t(row.started_at),
    finished_at: t(row.finished_at),
    updated_at: Date.parse(row.updated_at),
  };
}

export function toRun(row: ShadowRunRow): ShadowRun {
  const started = row.started_at ? Date.parse(row.started_at) : null;
  const until = row.finished_at ? Date.parse(row.finished_at) : Date.parse(row.updated_at);
  const seconds = started !== null ? (until - started) / 1000 : 0;
  const rate = seconds > 0 && row.rows_done > 0 ? row.rows_done / seconds : null;
  const left = row.rows_total - row.rows_done;
  return {
    id: row.id,
    model: row.model,
    candidate_version: row.candidate_version,
    mode: row.mode,
    status: row.status,
    request: row.request ? (JSON.parse(row.request) as ShadowRunRequest) : null,
    progress: {
      rows_done: row.rows_done,
      rows_total: row.rows_total,
      rows_per_second: rate === null ? null : Math.round(rate),
      eta_seconds: row.status === 'running' && rate ? Math.ceil(left / rate) : null,
    },
    provider: row.provider || null,
    summary: row.summary ? (JSON.parse(row.summary) as Record<string, unknown>) : null,
    verdict: row.verdict ? (JSON.parse(row.verdict) as Verdict) : null,
    error: row.error || null,
    created_by: row.created_by,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}
