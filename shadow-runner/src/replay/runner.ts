import {
  columnsFromRows,
  getShadowRun,
  hasLabelsSince,
  listShadowRuns,
  sampleBound,
  writeShadowRun,
  type ShadowRunRow,
  type Store,
} from '@osprey/db';
import type { LiveFeed } from '@osprey/ingest';
import type { Logger } from 'pino';
import type { InferencePool } from '../inference/pool';
import type { ModelRegistry } from '../registry/registry';
import { CANCEL_ACTION, rowToMs } from './runs';
import { liveRunRequest, shadowRunRequest } from './schema';
import { Scorer } from './scorer';
import { feedSource, tableSource, type LiveSource } from './live-sources';
import { chooseBatch } from './batch-size';
import { runPipeline } from './pipeline';
import { SliceReader } from './slices';

/**
 * Events of a replay kept as shadow_results rows of their own however large the run (besides
 * every disagreement and every labelled event): the dashboard's scatter draws 1,500 of them.
 */
const SAMPLE_EVENTS = 10_000;

const LIVE_SUMMARY_MS = 10_000;
/** Batches a live mirror may fall behind before it drops (and counts) new events. */
const LIVE_QUEUE_BATCHES = 16;

export interface RunnerOptions {
  store: Store;
  registry: ModelRegistry;
  pool: InferencePool;
  logger: Logger;
  /** How often queued runs are looked for (a run created in this process wakes it at once). */
  pollMs: number;
  /** Progress is written (and cancellation checked) at most this often. */
  progressMs?: number;
  /**
   * Events of a replay kept as shadow_results rows of their own however large the run, besides
   * every disagreement and every labelled event (default SAMPLE_EVENTS).
   */
  sampleEvents?: number;
  /** How often a live mirror scores what arrived (default 1 s; sooner once a batch is full). */
  liveTickMs?: number;
  /**
   * Where live mirrors get new events: the embedded collector's tap or the predictions topic
   * (group osprey-shadow). Without one they read the predictions table.
   */
  liveFeed?: LiveFeed;
  /**
   * With several `osprey shadow-runner` replicas: which models this replica owns (the work
   * topic's group assignment, see startModelWork) and how to put models with queued replays on
   * the work topic. Without it this runner owns every run of the store.
   */
  share?: RunnerShare;
}

export interface RunnerShare {
  owns(model: string): boolean;
  announce(models: readonly string[]): Promise<void>;
}

/** Why a run a replica gave up is taken over: it cannot have finished. */
export const HANDED_OVER_ERROR =
  'interrupted: the shadow-runner replica running it stopped or lost its model to another replica; create the run again';
const STOPPED_ERROR = 'interrupted: the shadow runner stopped; create the run again';

class Cancelled extends Error {}

/**
 * This replica gave the run up between two batches (stopping, or its model moved to another
 * replica): nothing more is written, the model's new owner takes the run over. `cause` is the
 * group's rebalance error, which the work handler must rethrow.
 */
class HandedOff extends Error {
  constructor(readonly rebalance?: unknown) {
    super('handed off');
  }
}

/**
 * Executes queued runs: replays one at a time (time slices of logged events, scored in batches
 * by a Scorer, progress and cancellation checks every progressMs, then a summary aggregated in
 * ClickHouse and a verdict); live mirrors alongside, each in its own loop until it ends.
 *
 * Shared (options.share): replays run in the work topic's handler (runModel), one model's at a
 * time, with a checkpoint after every batch, so a replay stops between two batches as soon as a
 * rebalance begins and before the model's next owner is assigned. Live mirrors run outside the
 * handler, of owned models only, and stop at their next tick once the model is no longer owned,
 * leaving the run `running`. Each poll the owner of a model takes over the runs left `running` by
 * a previous owner: a replay is failed (HANDED_OVER_ERROR; never run twice), a live mirror resumes.
 */
export class ShadowRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private recovered = false;
  private readonly mirrors = new Map<string, Promise<void>>();
  /**
   * The runs this process started and did not hand off (shared runners): never taken over here,
   * even when a listing read before they ended says `running`.
   */
  private readonly started = new Set<string>();
  /** The replay the work handler is running now (shared runners). */
  private replay_: Promise<void> | undefined;

  constructor(private readonly opts: RunnerOptions) {}

  private get progressMs(): number {
    return this.opts.progressMs ?? 1000;
  }

  private get liveTickMs(): number {
    return this.opts.liveTickMs ?? 1000;
  }

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
    await Promise.all([...this.mirrors.values(), this.replay_?.catch(() => undefined)]);
  }

  private async drain(): Promise<void> {
    if (this.opts.share) return this.drainShared(this.opts.share);
    if (!this.recovered) {
      // One runner per store: a run still marked running was cut off by a stop or a crash.
      for (const status of ['running', 'cancelling'] as const)
        for (const run of await listShadowRuns(this.opts.store, { status }, 1000)) {
          const now = Date.now();
          await writeShadowRun(this.opts.store, {
            ...rowToMs(run),
            status: status === 'running' ? 'failed' : 'cancelled',
            error: status === 'running' ? STOPPED_ERROR : '',
            finished_at: now,
            updated_at: Math.max(now, Date.parse(run.updated_at) + 1),
          });
        }
      this.recovered = true;
    }
    for (;;) {
      if (this.stopped) return;
      const queued = await listShadowRuns(this.opts.store, { status: 'queued' }, 1000);
      this.opts.logger.debug({ queued: queued.length }, 'queued shadow runs');
      const next = queued.filter((r) => !this.mirrors.has(r.id)).at(-1); // newest first: oldest
      if (!next) return;
      if (next.mode === 'live') {
        const mirror = this.execute(next).finally(() => this.mirrors.delete(next.id));
        this.mirrors.set(next.id, mirror);
      } else await this.execute(next);
    }
  }

  /**
   * One poll of a shared runner: takes over what previous owners of this replica's models left
   * running, starts the owned models' queued live mirrors, and announces the models with queued
   * replays (their owners run them in the work handler).
   */
  private async drainShared(share: RunnerShare): Promise<void> {
    const { store, logger } = this.opts;
    for (const status of ['running', 'cancelling'] as const)
      for (const run of await listShadowRuns(store, { status }, 1000)) {
        if (this.stopped) return;
        if (!share.owns(run.model) || this.mine(run.id)) continue;
        if (status === 'running' && run.mode === 'live') {
          logger.info({ run: run.id, model: run.model }, 'resuming a live mirror handed over');
          this.mirror(run, true);
        } else await this.interrupt(run, HANDED_OVER_ERROR);
      }
    const queued = await listShadowRuns(store, { status: 'queued' }, 1000);
    for (const run of queued.filter((r) => r.mode === 'live').reverse()) {
      if (this.stopped) return;
      if (share.owns(run.model) && !this.mine(run.id)) this.mirror(run, false);
    }
    const replays = [...new Set(queued.filter((r) => r.mode !== 'live').map((r) => r.model))];
    if (replays.length > 0 && !this.stopped) await share.announce(replays);
  }

  /**
   * The work handler of a shared runner: runs the model's queued replays, oldest first, calling
   * `checkpoint` (the group's heartbeat, which throws once a rebalance begins) between batches.
   */
  async runModel(model: string, checkpoint: () => Promise<void>): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const queued = await listShadowRuns(this.opts.store, { status: 'queued', model }, 1000);
      const next = queued.filter((r) => r.mode !== 'live' && !this.mine(r.id)).at(-1);
      if (!next) return;
      await checkpoint();
      this.replay_ = this.execute(next, { checkpoint });
      try {
        await this.replay_;
      } finally {
        this.replay_ = undefined;
      }
    }
  }

  private mine(id: string): boolean {
    return this.started.has(id);
  }

  private mirror(run: ShadowRunRow, resume: boolean): void {
    const mirror = this.execute(run, { resume }).finally(() => this.mirrors.delete(run.id));
    this.mirrors.set(run.id, mirror);
  }

  private async interrupt(listed: ShadowRunRow, error: string): Promise<void> {
    // Read again: the listing may predate the previous owner's last progress.
    const run = await getShadowRun(this.opts.store, listed.id);
    if (run?.status !== listed.status) return;
    const now = Date.now();
    const cancelling = run.status === 'cancelling';
    await writeShadowRun(this.opts.store, {
      ...rowToMs(run),
      status: cancelling ? 'cancelled' : 'failed',
      error: cancelling ? '' : error,
      finished_at: now,
      updated_at: Math.max(now, Date.parse(run.updated_at) + 1),
    });
    this.opts.logger.info(
      { run: run.id, model: run.model, status: run.status },
      'took over a shadow run left by another runner',
    );
  }

  private owns(model: string): boolean {
    return !this.opts.share || this.opts.share.owns(model);
  }

  /**
   * Runs one queued run to done, failed or cancelled; never throws, except the group's rebalance
   * error from `checkpoint` (a shared replay handed off between two batches, left `running`).
   * `resume`: a live mirror taken over from another replica keeps its start and its count.
   */
  async execute(
    run: ShadowRunRow,
    handoff: { checkpoint?: () => Promise<void>; resume?: boolean } = {},
  ): Promise<void> {
    const { store, logger } = this.opts;
    const startedAt = handoff.resume ? Date.parse(run.started_at ?? '') || Date.now() : Date.now();
    let state = {
      ...rowToMs(run),
      status: 'running' as ShadowRunRow['status'],
      started_at: startedAt,
      updated_at: Math.max(Date.now(), Date.parse(run.updated_at) + 1),
    };
    const save = async (patch: Partial<typeof state>) => {
      state = { ...state, ...patch, updated_at: Math.max(Date.now(), state.updated_at + 1) };
      await writeShadowRun(store, state);
    };
    const log = logger.child({ run: run.id, model: run.model, candidate: run.candidate_version });
    if (this.opts.share) this.started.add(run.id);
    try {
      // A live mirror says it is running once it listens (see live()), so that what is logged
      // after that is mirrored.
      log.info({ mode: run.mode, resume: handoff.resume ?? false }, 'shadow run started');
      if (run.mode !== 'live') await save({});
      const check = () => this.cancelled(run.id);
      if (run.mode === 'live') {
        const { cancelled, ...summary } = await this.live(run, save, check, handoff.resume);
        await save({
          status: cancelled ? 'cancelled' : 'done',
          finished_at: Date.now(),
          ...summary,
        });
      } else {
        const summary = await this.replay(run, save, check, handoff.checkpoint);
        await save({ status: 'done', finished_at: Date.now(), ...summary });
      }
      log.info({ rows: state.rows_done, provider: state.provider }, 'shadow run done');
    } catch (err) {
      if (err instanceof HandedOff) {
        this.started.delete(run.id);
        log.info({ rows: state.rows_done }, 'shadow run handed off');
        if (err.rebalance !== undefined) throw err.rebalance;
      } else if (err instanceof Cancelled) {
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
    checkpoint: (() => Promise<void>) | undefined,
  ): Promise<{ summary: string; verdict: string }> {
    const { store, registry, pool } = this.opts;
    const request = shadowRunRequest.parse(JSON.parse(run.request));
    const scorer = await Scorer.open(store, registry, pool, run, request.output, {
      sideBySide: true,
    });
    try {
      // Loading the candidate can take a while: heartbeat before the first batch.
      if (checkpoint) await this.handoffPoint(checkpoint, scorer);
      const provider = scorer.loaded.placement.provider;
      await save({ provider });
      const batch = chooseBatch(request.batch_size, provider);
      const range = {
        model: run.model,
        from: request.from,
        to: request.to,
        version: request.version,
      };
      const limit = Math.min(run.rows_total, request.limit ?? Infinity);
      const reader = new SliceReader(
        store,
        range,
        scorer.columns,
        run.rows_total,
        batch.size,
        sampleBound((this.opts.sampleEvents ?? SAMPLE_EVENTS) / Math.max(1, limit)),
      );
      const labelsSince = (await hasLabelsSince(store, run.model, request.from))
        ? request.from
        : undefined;
      let taken = 0;
      let lastCheck = Date.now();
      const scoringFrom = performance.now();
      await runPipeline({
        read: async () => {
          if (taken >= limit) return undefined;
          const next = await reader.next(Math.min(batch.size, limit - taken));
          taken += next?.n ?? 0;
          return next;
        },
        infer: (b) => scorer.infer(b, labelsSince),
        record: (inferred) => scorer.record(inferred),
        between: async () => {
          if (checkpoint) await this.handoffPoint(checkpoint, scorer);
          if (Date.now() - lastCheck < this.progressMs) return;
          lastCheck = Date.now();
          await scorer.flush();
          if (await cancelled()) throw new Cancelled();
          await save({ rows_done: scorer.done });
        },
      });
      await scorer.flush();
      await save({ rows_done: scorer.done });
      if (checkpoint) await this.handoffPoint(checkpoint, scorer);
      return await scorer.summarize(
        request.criteria,
        batch,
        {},
        {
          readMs: reader.readMs,
          scoringMs: performance.now() - scoringFrom,
        },
      );
    } finally {
      await scorer.close();
    }
  }

  /** Between two batches of a shared replay: gives the run up if a rebalance began or we stop. */
  private async handoffPoint(checkpoint: () => Promise<void>, scorer: Scorer): Promise<void> {
    let rebalance: unknown;
    try {
      await checkpoint();
    } catch (err) {
      rebalance = err ?? new Error('rebalance');
    }
    if (rebalance === undefined && !this.stopped) return;
    // What was scored stays written, for the record; the next owner fails the run.
    await scorer.flush();
    throw new HandedOff(rebalance);
  }

  /**
   * A live mirror: new events of the model (sampled by a hash of event_id, so the same events are
   * chosen however they arrive) go through the candidate in batches, from the live feed when the
   * process has one, else from the predictions table (live-sources.ts). The summary is refreshed
   * every LIVE_SUMMARY_MS; the mirror ends after duration_minutes, on cancel, or when the runner
   * stops.
   */
  private async live(
    run: ShadowRunRow,
    save: (patch: {
      rows_done?: number;
      rows_total?: number;
      provider?: string;
      summary?: string;
      verdict?: string;
    }) => Promise<void>,
    cancelled: () => Promise<boolean>,
    resume = false,
  ): Promise<{ summary: string; verdict: string; cancelled: boolean }> {
    const { store, registry, pool, liveFeed } = this.opts;
    const request = liveRunRequest.parse(JSON.parse(run.request));
    const scorer = await Scorer.open(store, registry, pool, run, request.output);
    const started = resume ? Date.parse(run.started_at ?? '') || Date.now() : Date.now();
    if (resume) scorer.done = run.rows_done;
    const filter = {
      model: run.model,
      version: request.version,
      sampleRate: request.sample_rate,
      columns: scorer.columns,
    };
    let source: LiveSource | undefined;
    const summarize = () =>
      scorer.summarize(
        request.criteria,
        { size: request.batch_size, chosen_by: 'request' },
        {
          live: { source: liveFeed ? 'feed' : 'table', dropped: source?.dropped ?? 0 },
        },
      );
    try {
      source = liveFeed
        ? await feedSource(liveFeed, filter, LIVE_QUEUE_BATCHES * request.batch_size)
        : tableSource(store, filter, Date.now());
      await save({ provider: scorer.loaded.placement.provider });
      const end = request.duration_minutes ? started + request.duration_minutes * 60_000 : Infinity;
      let summarized = Date.now();
      let stop = false;
      while (!stop && !this.stopped && this.owns(run.model) && Date.now() < end) {
        for (;;) {
          const rows = await source.next(request.batch_size);
          if (rows.length === 0) break;
          await scorer.score(columnsFromRows(rows, scorer.columns.length), undefined);
          if (rows.length < request.batch_size) break;
        }
        stop = await cancelled();
        const patch = { rows_done: scorer.done, rows_total: scorer.done };
        if (Date.now() - summarized >= LIVE_SUMMARY_MS && scorer.done > 0) {
          summarized = Date.now();
          await save({ ...patch, ...(await summarize()) });
        } else await save(patch);
        if (!stop) await new Promise((r) => setTimeout(r, this.liveTickMs));
      }
      // A shared mirror that stops unfinished is resumed by the model's (next) owner.
      if (!stop && Date.now() < end && this.opts.share && (this.stopped || !this.owns(run.model)))
        throw new HandedOff();
      return { ...(await summarize()), cancelled: stop };
    } finally {
      await source?.close();
      await scorer.close();
    }
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
