import {
  aggregateShadowResults,
  getShadowRun,
  insertShadowResults,
  hasLabelsSince,
  labelsForEvents,
  listShadowRuns,
  replaySlice,
  type ReplayRange,
  writeShadowRun,
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
  private recovered = false;

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
    if (!this.recovered) {
      // One runner per store: a run still marked running was cut off by a stop or a crash.
      for (const status of ['running', 'cancelling'] as const)
        for (const run of await listShadowRuns(this.opts.store, { status }, 1000)) {
          const now = Date.now();
          await writeShadowRun(this.opts.store, {
            ...rowToMs(run),
            status: status === 'running' ? 'failed' : 'cancelled',
            error:
              status === 'running'
                ? 'interrupted: the shadow runner stopped; create the run again'
                : '',
            finished_at: now,
            updated_at: Math.max(now, Date.parse(run.updated_at) + 1),
          });
        }
      this.recovered = true;
    }
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
      const pages = new SliceReader(store, range, columns, run.rows_total, request.batch_size);
      const withLabels = await hasLabelsSince(store, run.model, request.from);
      // The results of a batch are written while the next one is read and run (one insert in flight).
      let writing: Promise<void> = Promise.resolve();
      while (done < limit) {
        const rows = await pages.next(Math.min(request.batch_size, limit - done));
        if (rows.length === 0) break;
        const labels = withLabels
          ? labelsForEvents(
              store,
              run.model,
              request.from,
              rows.map((r) => r.event_id),
            )
          : Promise.resolve(new Map());
        const [result, labelled] = await Promise.all([
          pool.run(key, buildFeeds(rows, candidate.input_spec, candidate.signature, columns)),
          labels,
        ]);
        batchMs.push(result.runMs);
        await writing;
        writing = insertShadowResults(
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
        writing.catch(() => undefined); // awaited before the next insert or the end
        done += rows.length;
        if (Date.now() - lastCheck >= progressMs) {
          lastCheck = Date.now();
          await writing;
          if (await cancelled()) throw new Cancelled();
          await save({ rows_done: done });
        }
      }
      await writing;
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

/**
 * Batches of a run's events, oldest first, read as time slices sized to hold about a batch each
 * (from the run's count over its range); a slice that turns out much fuller is split in two and
 * read again. The next slice is read while the caller works on the current batch.
 */
class SliceReader {
  private readonly buffer: ReplayRow[] = [];
  private readonly sliceMs: number;
  private readonly maxRows: number;
  private cursor: number;
  private pending: Promise<ReplayRow[]> | undefined;

  constructor(
    private readonly store: Store,
    private readonly range: ReplayRange,
    private readonly columns: readonly string[],
    total: number,
    batch: number,
  ) {
    const span = range.to - range.from;
    this.sliceMs = Math.max(1, Math.ceil((span * batch) / Math.max(1, total)));
    this.maxRows = Math.max(8 * batch, 65_536);
    this.cursor = range.from;
  }

  async next(size: number): Promise<ReplayRow[]> {
    while (this.buffer.length < size && (this.pending || this.cursor < this.range.to)) {
      this.pending ??= this.readAhead();
      const rows = await this.pending;
      this.pending = this.cursor < this.range.to ? this.readAhead() : undefined;
      for (const row of rows) this.buffer.push(row);
    }
    return this.buffer.splice(0, size);
  }

  private readAhead(): Promise<ReplayRow[]> {
    const slice = { from: this.cursor, to: Math.min(this.range.to, this.cursor + this.sliceMs) };
    this.cursor = slice.to;
    const p = this.read(slice);
    p.catch(() => undefined); // awaited by next(); an early failure must not go unhandled
    return p;
  }

  private async read(slice: { from: number; to: number }): Promise<ReplayRow[]> {
    const rows = await replaySlice(this.store, this.range, this.columns, slice, this.maxRows);
    if (rows) return rows;
    const mid = Math.floor((slice.from + slice.to) / 2);
    if (mid === slice.from) {
      const all = await replaySlice(
        this.store,
        this.range,
        this.columns,
        slice,
        Number.MAX_SAFE_INTEGER,
      );
      return all ?? [];
    }
    return [
      ...(await this.read({ from: slice.from, to: mid })),
      ...(await this.read({ from: mid, to: slice.to })),
    ];
  }
}
