import { Tables, type Store } from '@osprey/db';
import type { Logger } from 'pino';
import { detectPerformance } from '../performance/performance';
import { detectedWindowStarts, lastWindowEnd, saveRun } from '../results/runs';
import {
  detectModelsWindow,
  detectSegmentWindow,
  detectWindow,
  redetectSegmentPerformance,
  type AlertEvaluator,
} from '../run/detect';
import { loadSettingsOf, monitoredModels, type ModelSettings } from '../settings/model-settings';
import { closedWindows, isoWindow, type Window } from '../window';
import { ProgressTracker, type DetectionProgress } from './progress';

export interface SchedulerOptions {
  intervalMs: number;
  backfillDays: number;
  now?: () => number;
  /** Evaluates alert rules after each window's detection (detectors/src/alerts). */
  alerts?: AlertEvaluator;
  /**
   * Replicas: the timer only announces the models to a work queue shared by every replica (a
   * Kafka consumer group, cli/src/roles/detectors.ts), and the replica that owns a model runs
   * `detectModel` for it. Without it, each pass detects every model here.
   */
  share?: { announce(models: string[]): Promise<void> };
}

/**
 * Most models one batch of a pass detects together: each statement of a batch reads every model's
 * rows of the window, so this bounds what one statement holds.
 */
const BATCH_MODELS = 200;

/** A bound past any event (within DateTime64(3)'s range): no bound. */
const NO_END = Date.UTC(2200, 0, 1);

/** Called between windows; throws once the model is no longer this replica's, to abandon it. */
export type Checkpoint = () => Promise<void>;

interface ModelPlan {
  model: string;
  settings: ModelSettings;
  /** When the pass began. */
  now: number;
  /** Windows that close before this (the grace period for late events) are due. */
  due: number;
  windows: Window[];
}

/**
 * Evaluates each model's windows once they close (plus the model's grace period for late events),
 * backfilling what was missed while it was down (at most `backfillDays`, oldest first, with
 * progress in the logs), and re-evaluates performance for windows whose predictions got labels
 * since the last pass. One pass at a time; `stop` waits for the running one.
 */
export class DetectorScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private labelsSince: number;
  private readonly now: () => number;
  private readonly tracker = new ProgressTracker();
  /** Replicas: since when each model's labels were last looked at by this process. */
  private readonly labelsSinceOf = new Map<string, number>();
  private readonly startedAt: number;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.labelsSince = this.now();
    this.startedAt = this.labelsSince;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = (this.options.share ? this.announce(this.options.share) : this.pass())
        .catch((err: unknown) => this.logger.error({ err }, 'detector pass failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Where detection stands: starting, backfilling N of M windows, or current. */
  progress(): DetectionProgress {
    return this.tracker.get();
  }

  /**
   * One pass over every model; exported for tests and `osprey detect --due`. The models' windows
   * are detected window by window, the models due for the same window in batches that share their
   * statements (detectModelsWindow); then each model's segments and label re-evaluations.
   */
  async pass(): Promise<void> {
    const now = this.now();
    const labelsSince = this.labelsSince;
    this.labelsSince = now;
    const since = now - this.options.backfillDays * 86_400_000;
    const models = await monitoredModels(this.store, since);
    if (this.stopped) return;
    // Plan every model's windows first, so the progress counts the whole pass.
    const plans = await this.plan(models, now);
    this.tracker.planned(plans.map((p) => p.windows.length));
    try {
      const failed = await this.detectWholeModels(plans);
      const labelled = await this.windowsWithNewLabels(plans, labelsSince);
      for (const plan of plans) {
        if (this.stopped) return;
        if (failed.has(plan.model)) continue;
        const relabelled = labelled.get(plan.model) ?? [];
        await this.passModel({ ...plan, windows: [] }, relabelled).catch((err: unknown) =>
          this.logger.error({ err, model: plan.model }, 'detection failed for the model'),
        );
      }
    } finally {
      this.tracker.finished();
    }
  }

  /**
   * The plans' whole-model windows, oldest first, each window's models in batches. Answers the
   * models that failed: their later windows wait for the next pass, which plans every window
   * without a run, so none is skipped.
   */
  private async detectWholeModels(plans: readonly ModelPlan[]): Promise<Set<string>> {
    const byWindow = new Map<string, { window: Window; plans: ModelPlan[] }>();
    for (const plan of plans) {
      for (const window of plan.windows) {
        const key = `${window.from}/${window.to}`;
        const group = byWindow.get(key) ?? { window, plans: [] };
        group.plans.push(plan);
        byWindow.set(key, group);
      }
    }
    const ordered = [...byWindow.values()].sort(
      (a, b) => a.window.from - b.window.from || a.window.to - b.window.to,
    );
    const failed = new Set<string>();
    for (const [i, { window, plans: due }] of ordered.entries()) {
      const todo = due.filter((p) => !failed.has(p.model));
      for (let start = 0; start < todo.length; start += BATCH_MODELS) {
        if (this.stopped) return failed;
        await this.detectBatch(window, todo.slice(start, start + BATCH_MODELS), failed);
      }
      const progress = {
        window: isoWindow(window),
        models: todo.length,
        done: i + 1,
        of: ordered.length,
      };
      if (plans.some((p) => p.windows.length > 1))
        this.logger.info(progress, 'backfilling detector windows');
      else this.logger.debug(progress, 'window detected');
    }
    return failed;
  }

  /**
   * One batch of models' window. A batch that fails is detected again model by model, so one
   * model's failure (logged) holds back no other; its runs are stored together or not at all.
   */
  private async detectBatch(
    window: Window,
    plans: readonly ModelPlan[],
    failed: Set<string>,
  ): Promise<void> {
    const settings = new Map(plans.map((p) => [p.model, p.settings]));
    let detections;
    try {
      detections = await detectModelsWindow(this.store, { settings, window });
    } catch (err) {
      if (plans.length > 1) {
        for (const plan of plans) await this.detectBatch(window, [plan], failed);
        return;
      }
      failed.add(plans[0]!.model);
      this.logger.error({ err, model: plans[0]!.model }, 'detection failed for the model');
      return;
    }
    for (const detection of detections) {
      this.tracker.detected();
      await this.options.alerts
        ?.evaluate({ ...detection, segments: [] })
        .catch((err: unknown) =>
          this.logger.error(
            { err, model: detection.model },
            'alert evaluation failed for the model',
          ),
        );
    }
  }

  /** Replicas: puts every monitored model on the shared work queue. */
  private async announce(share: NonNullable<SchedulerOptions['share']>): Promise<void> {
    const since = this.now() - this.options.backfillDays * 86_400_000;
    await share.announce(await monitoredModels(this.store, since));
  }

  /**
   * Replicas: one model's due work, for the replica that owns the model. It plans from the store
   * (the windows already in detector_runs are skipped), so a replica taking a model over resumes
   * where the previous owner stopped. `checkpoint` runs before each window.
   */
  async detectModel(model: string, checkpoint: Checkpoint): Promise<void> {
    if (this.stopped) return;
    const now = this.now();
    const labelsSince = this.labelsSinceOf.get(model) ?? this.startedAt;
    // A failed checkpoint (the model moves to another replica) propagates, so the work queue
    // abandons the model; any other failure is logged and retried next pass, as in `pass`.
    let abandoned = false;
    const check: Checkpoint = () =>
      checkpoint().catch((err: unknown) => {
        abandoned = true;
        throw err;
      });
    try {
      const [plan] = (await this.plan([model], now)) as [ModelPlan];
      this.tracker.planned([plan.windows.length]);
      const relabelled = (await this.windowsWithNewLabels([plan], labelsSince)).get(model) ?? [];
      await this.passModel(plan, relabelled, check);
      this.labelsSinceOf.set(model, now);
    } catch (err) {
      if (abandoned) throw err;
      this.logger.error({ err, model }, 'detection failed for the model');
    } finally {
      this.tracker.finished();
    }
  }

  /**
   * Each model's settings and the windows due, planned with a few statements for all models: every
   * closed window from the model's first event in the backfill period that has no run yet. Not
   * only those after the last run: events that land late and out of order (a backlog flushed, one
   * Kafka partition behind another) can open a window before the first one detected, and a window
   * skipped by a failure is taken up again.
   */
  private async plan(models: readonly string[], now: number): Promise<ModelPlan[]> {
    if (models.length === 0) return [];
    const since = now - this.options.backfillDays * 86_400_000;
    const settingsOf = await loadSettingsOf(this.store, models);
    const done = await detectedWindowStarts(this.store, models, 'drift', since);
    // Events before a model's first detected window (all of them for a model without runs).
    const before = new Map(
      [...done].map(([model, starts]) => [model, Math.min(...starts)] as const),
    );
    const firsts = await this.firstEvents(models, since, before);
    return models.map((model) => {
      const settings = settingsOf.get(model)!;
      const due = now - settings.grace_minutes * 60_000;
      const first = firsts.get(model) ?? before.get(model);
      const detected = done.get(model);
      const windows =
        first === undefined
          ? []
          : closedWindows(first, due, settings.window_minutes).filter(
              (w) => !detected?.has(w.from),
            );
      return { model, settings, now, due, windows };
    });
  }

  /** `relabelled`: the model's windows holding predictions that received labels since the last pass. */
  private async passModel(
    { model, settings, now, due, windows }: ModelPlan,
    relabelled: readonly Window[],
    checkpoint: Checkpoint = async () => {},
  ): Promise<void> {
    // The whole model's windows first, then its segments' (each value of a configured tag is a
    // detection as costly as the whole model's): a backfill draws the model's page first. Each
    // half resumes from its own last window, so a segment key configured later is backfilled too.
    const segmented = settings.segments.length > 0;
    for (const [i, window] of windows.entries()) {
      if (this.stopped) return;
      await checkpoint();
      await detectWindow(this.store, {
        model,
        window,
        alerts: this.options.alerts,
        segments: !segmented,
      });
      this.tracker.detected();
      const progress = { model, window: isoWindow(window), done: i + 1, of: windows.length };
      if (windows.length > 1) this.logger.info(progress, 'backfilling detector windows');
      else this.logger.debug(progress, 'window detected');
    }
    if (segmented) await this.passSegments(model, now, due, settings.window_minutes, checkpoint);
    for (const window of relabelled) {
      if (this.stopped) return;
      if (window.to > due) continue;
      await checkpoint();
      const scope = { model, window };
      const d = await detectPerformance(this.store, settings, scope);
      await saveRun(this.store, scope, 'performance', d.referenceKey, d.document, d.rows);
      await redetectSegmentPerformance(this.store, settings, scope);
      this.logger.info(
        { model, window: isoWindow(window) },
        'performance re-evaluated for new labels',
      );
    }
  }

  /**
   * The segments of the windows since the last one a segment was detected in. A window without
   * tagged predictions stores no segment run, so such windows are looked at again next pass (a
   * query per configured key), within the backfill period.
   */
  private async passSegments(
    model: string,
    now: number,
    due: number,
    minutes: number,
    checkpoint: Checkpoint,
  ) {
    const since = now - this.options.backfillDays * 86_400_000;
    const last =
      (await lastWindowEnd(this.store, model, 'drift', { segments: true })) ??
      (await this.firstEvents([model], since)).get(model);
    if (last === undefined) return;
    const windows = closedWindows(Math.max(last, since - 1), due, minutes);
    for (const [i, window] of windows.entries()) {
      if (this.stopped) return;
      await checkpoint();
      await detectSegmentWindow(this.store, { model, window, alerts: this.options.alerts });
      const progress = { model, window: isoWindow(window), done: i + 1, of: windows.length };
      if (windows.length > 1) this.logger.info(progress, 'backfilling segment windows');
      else this.logger.debug(progress, 'segment window detected');
    }
  }

  /**
   * Each model's first event since `since`, and before `before` where the model has an entry (its
   * first detected window: only the events that could open an earlier one are read).
   */
  private async firstEvents(
    models: readonly string[],
    since: number,
    before: ReadonlyMap<string, number> = new Map(),
  ): Promise<Map<string, number>> {
    // Two statements, so the primary index narrows each: models without runs read their whole
    // backfill period; the others only up to their first detected window (usually a few rows).
    const open = models.filter((m) => !before.has(m));
    const bounded = models.filter((m) => before.has(m));
    const firsts = new Map<string, number>();
    for (const group of [open, bounded]) {
      if (group.length === 0) continue;
      const ends = group.map((m) => before.get(m) ?? NO_END);
      const rows = await this.store.query<{ model: string; t: string }>(
        `SELECT model, toUnixTimestamp64Milli(min(timestamp)) AS t FROM ${Tables.predictions}
         WHERE model IN {models:Array(String)}
           AND timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')
           AND timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
           AND toUnixTimestamp64Milli(timestamp) <
               transform(CAST(model, 'String'), {models:Array(String)}, {ends:Array(Int64)}, toInt64(0))
         GROUP BY model`,
        { models: group, from: since, to: Math.max(...ends), ends },
      );
      // closedWindows starts with the window that holds `start`: the first event's own (a first
      // event on a window's edge opens that window, not the empty one before it).
      for (const r of rows) firsts.set(r.model, Number(r.t));
    }
    return firsts;
  }

  /**
   * Per model, its windows (of its own size) holding predictions that received labels since
   * `since`, oldest first: one statement for every model of the pass.
   */
  private async windowsWithNewLabels(
    plans: readonly ModelPlan[],
    since: number,
  ): Promise<Map<string, Window[]>> {
    if (plans.length === 0) return new Map();
    const models = plans.map((p) => p.model);
    const sizes = plans.map((p) => p.settings.window_minutes * 60_000);
    const rows = await this.store.query<{ model: string; w: string; size: string }>(
      `SELECT model, size, intDiv(toUnixTimestamp64Milli(timestamp), size) * size AS w
       FROM (SELECT model, timestamp, event_id, request_id,
                    transform(CAST(model, 'String'), {models:Array(String)}, {sizes:Array(Int64)}, toInt64(0)) AS size
             FROM ${Tables.predictions}
             WHERE model IN {models:Array(String)} AND (
               (model, event_id) IN (SELECT model, assumeNotNull(event_id) FROM ${Tables.labels}
                            WHERE model IN {models:Array(String)} AND event_id IS NOT NULL
                              AND received_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC'))
               OR (request_id != '' AND (model, request_id) IN (SELECT model, request_id FROM ${Tables.labels}
                            WHERE model IN {models:Array(String)} AND request_id != ''
                              AND received_at > fromUnixTimestamp64Milli({since:Int64}, 'UTC')))))
       GROUP BY model, size, w
       ORDER BY model, w`,
      { models, sizes, since },
    );
    const out = new Map<string, Window[]>();
    for (const r of rows) {
      const windows = out.get(r.model) ?? [];
      windows.push({ from: Number(r.w), to: Number(r.w) + Number(r.size) });
      out.set(r.model, windows);
    }
    return out;
  }
}
