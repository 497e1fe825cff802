import {
  aggregateShadowResults,
  getShadowRun,
  insertShadowResults,
  labelsForEvents,
  listShadowRuns,
  replayPage,
  writeShadowRun,
  type ReplayCursor,
  type ReplayRow,
  type ShadowRunRow,
  type Store,
} from '@osprey/db';
import type { Logger } from 'pino';
import type { InferencePool } from '../inference/pool';
import { specFeatures } from '../registry/input-spec';
import type { ModelRegistry } from '../registry/registry';
import { chooseOutput, compareBatch } from './compare';
import { CANCEL_ACTION, rowToMs } from './runs';
import { shadowRunRequest } from './schema';
import { buildFeeds } from './tensors';
import { decide } from './verdict';

export interface RunnerOptions {
  store: Store;
  registry: ModelRegistry;
  pool: InferencePool;
  logger: Logger;
  /** How often queued runs are looked for (a run created in this process wakes it at once). */
  pollMs: number;
  /** Progress is written (and cancellation checked) at most this often. */
  progressMs?: number;
}

class Cancelled extends Error {}

/**
 * Executes queued replay runs one at a time: pages of logged events in (timestamp, event_id)
 * order, tensors built from the candidate's input spec, batched inference in the worker pool
 * (the next page is read from ClickHouse while the current one runs), one shadow_results row per
 * event, progress and cancellation checks every progressMs, then a summary aggregated in
 * ClickHouse and a verdict.
 */
export class ShadowRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: RunnerOptions) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Looks for queued runs now (and then every pollMs). */
  wake(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.running = this.drain()
      .catch((err: unknown) => this.opts.logger.error({ err }, 'shadow runner failed'))
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.opts.pollMs).unref();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const queued = await listShadowRuns(this.opts.store, { status: 'queued' }, 1000);
      const next = queued.at(-1); // listed newest first: run the oldest
      if (!next) return;
      await this.execute(next);
    }
  }

  /** Runs one queued run to done, failed or cancelled; never throws. */
  async execute(run: ShadowRunRow): Promise<void> {
    const { store, logger } = this.opts;
    const startedAt = Date.now();
    let state = {
      ...rowToMs(run),
      status: 'running' as ShadowRunRow['status'],
      started_at: startedAt,
      updated_at: Math.max(startedAt, Date.parse(run.updated_at) + 1),
    };
    const save = async (patch: Partial<typeof state>) => {
      state = { ...state, ...patch, updated_at: Math.max(Date.now(), state.updated_at + 1) };
      await writeShadowRun(store, state);
    };
    const log = logger.child({ run: run.id, model: run.model, candidate: run.candidate_version });
    try {
      await save({});
      const summary = await this.replay(run, save, () => this.cancelled(run.id));
      await save({ status: 'done', finished_at: Date.now(), ...summary });
      log.info({ rows: state.rows_done, provider: state.provider }, 'shadow run done');
    } catch (err) {
      if (err instanceof Cancelled) {
        await save({ status: 'cancelled', finished_at: Date.now() });
        log.info({ rows: state.rows_done }, 'shadow run cancelled');
      } else {
        const message = err instanceof Error ? err.message : String(err);
        await save({ status: 'failed', finished_at: Date.now(), error: message }).catch(
          () => undefined,
        );
        log.error({ err }, 'shadow run failed');
      }
    }
  }

  private async replay(
    run: ShadowRunRow,
    save: (patch: { rows_done?: number; provider?: string }) => Promise<void>,
    cancelled: () => Promise<boolean>,
  ): Promise<{ summary: string; verdict: string }> {
    const { store, registry, pool } = this.opts;
    const request = shadowRunRequest.parse(JSON.parse(run.request));
    const candidate = await registry.require(run.model, run.candidate_version);
    const choice = chooseOutput(candidate.signature, request.output);
    const columns = specFeatures(candidate.input_spec);
    const key = `${candidate.sha256}:${run.id}`;
    const loaded = await pool.load(key, registry.artifacts.pathOf(candidate.sha256));
    await save({ provider: loaded.placement.provider });
    const range = {
      model: run.model,
      from: request.from,
      to: request.to,
      version: request.version,
    };
    const limit = Math.min(run.rows_total, request.limit ?? Infinity);
    const batchMs: number[] = [];
    let done = 0;
    let lastCheck = Date.now();
    const progressMs = this.opts.progressMs ?? 1000;
    try {
      const read = (after: ReplayCursor | undefined) =>
        replayPage(store, range, columns, after, Math.min(request.batch_size, limit - done));
      let page: Promise<ReplayRow[]> = read(undefined);
      while (done < limit) {
        const rows = (await page).slice(0, limit - done);
        if (rows.length === 0) break;
        const last = rows.at(-1)!;
        const remaining = limit - done - rows.length;
        page =
          remaining > 0
            ? replayPage(
                store,
                range,
                columns,
                { ts: last.ts, event_id: last.event_id },
                Math.min(request.batch_size, remaining),
              )
            : Promise.resolve([]);
        page.catch(() => undefined); // awaited next turn; an early failure must not go unhandled
        const labels = labelsForEvents(
          store,
          run.model,
          request.from,
          rows.map((r) => r.event_id),
        );
        const [result, labelled] = await Promise.all([
          pool.run(key, buildFeeds(rows, candidate.input_spec, candidate.signature, columns)),
          labels,
        ]);
        batchMs.push(result.runMs);
        await insertShadowResults(
          store,
          compareBatch(
            run.id,
            run.candidate_version,
            run.model,
            rows,
            result.outputs,
            choice,
            labelled,
            result.runMs,
          ),
        );
        done += rows.length;
        if (Date.now() - lastCheck >= progressMs) {
          lastCheck = Date.now();
          if (await cancelled()) throw new Cancelled();
          await save({ rows_done: done });
        }
      }
      await save({ rows_done: done });
    } finally {
      await pool.unload(key);
    }
    const aggregates = await aggregateShadowResults(store, run.id);
    const sorted = [...batchMs].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null;
    const inferenceSeconds = batchMs.reduce((a, b) => a + b, 0) / 1000;
    const latency = {
      batches: batchMs.length,
      batch_size: request.batch_size,
      p50_ms: q(0.5),
      p95_ms: q(0.95),
      max_ms: sorted.at(-1) ?? null,
      inference_rows_per_second: inferenceSeconds > 0 ? Math.round(done / inferenceSeconds) : null,
    };
    const verdict = decide(choice.task, aggregates, latency.p95_ms, request.criteria);
    const summary = {
      task: choice.task,
      output: choice.output,
      ...aggregates,
      latency,
      provider: loaded.placement.provider,
      nodes: loaded.placement.nodes,
      provider_attempts: loaded.attempts,
    };
    return { summary: JSON.stringify(summary), verdict: JSON.stringify(verdict) };
  }

  private async cancelled(id: string): Promise<boolean> {
    const rows = await this.opts.store.query<{ n: string }>(
      `SELECT count() AS n FROM audit_log WHERE action = {action:String} AND target = {id:String}`,
      { action: CANCEL_ACTION, id },
    );
    if (Number(rows[0]?.n ?? 0) > 0) return true;
    return (await getShadowRun(this.opts.store, id))?.status === 'cancelled';
  }
}
