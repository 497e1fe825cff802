import { randomUUID } from 'node:crypto';
import { Tables, type Store } from '@osprey/db';
import type { Logger } from 'pino';
import { loadSettings } from '../settings/model-settings';
import { isoWindow, windowsOverlapping, type Window } from '../window';
import { detectWindow } from './detect';

/** How far back a recompute may reach. */
export const MAX_RECOMPUTE_DAYS = 31;

/** A background recompute of a model's stored windows, as GET/POST …/recompute answer it. */
export interface RecomputeJob {
  id: string;
  model: string;
  status: 'running' | 'done' | 'failed';
  /** The windows recomputed: from the first stored window at or after `since` to the last closed one. */
  from: string;
  to: string;
  window_minutes: number;
  done: number;
  of: number;
  started_at: string;
  finished_at?: string;
  error?: string;
}

/** A recompute that may not start; `status` is the HTTP status to answer. */
export class RecomputeRefused extends Error {
  constructor(
    message: string,
    readonly status: 400 | 409,
  ) {
    super(message);
  }
}

/**
 * Recomputes a model's closed windows since a time, one at a time in the background (after a new
 * reference was uploaded or the settings changed, earlier windows still hold the old comparison).
 * One job per model at a time; the latest job of each model is kept for its progress. Alert rules
 * are not evaluated: a recompute restates history, it does not re-send alerts about it.
 */
export class RecomputeJobs {
  private readonly jobs = new Map<string, RecomputeJob>();
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly logger?: Logger,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** The model's running or latest job. */
  get(model: string): RecomputeJob | undefined {
    const job = this.jobs.get(model);
    return job && { ...job };
  }

  /** Starts recomputing; answers the job at once (its progress through `get`). */
  async start(model: string, since: number): Promise<RecomputeJob> {
    const now = this.now();
    if (this.jobs.get(model)?.status === 'running')
      throw new RecomputeRefused('a recompute of this model is already running', 409);
    if (since < now - MAX_RECOMPUTE_DAYS * 86_400_000)
      throw new RecomputeRefused(`must be within the last ${MAX_RECOMPUTE_DAYS} days`, 400);
    const settings = await loadSettings(this.store, model);
    const due = now - settings.grace_minutes * 60_000;
    const first = await this.firstStoredWindow(model);
    const windows =
      first === undefined
        ? []
        : windowsOverlapping(Math.max(since, first), due, settings.window_minutes).filter(
            (w) => w.to <= due,
          );
    const job: RecomputeJob = {
      id: randomUUID(),
      model,
      status: 'running',
      from: new Date(windows[0]?.from ?? since).toISOString(),
      to: new Date(windows.at(-1)?.to ?? since).toISOString(),
      window_minutes: settings.window_minutes,
      done: 0,
      of: windows.length,
      started_at: new Date(now).toISOString(),
    };
    this.jobs.set(model, job);
    void this.run(job, windows);
    return { ...job };
  }

  private async run(job: RecomputeJob, windows: Window[]): Promise<void> {
    try {
      for (const window of windows) {
        await detectWindow(this.store, { model: job.model, window, logger: this.logger });
        job.done++;
        this.logger?.info(
          { model: job.model, window: isoWindow(window), done: job.done, of: job.of },
          'recomputing detector windows',
        );
      }
      job.status = 'done';
    } catch (err) {
      job.status = 'failed';
      job.error = err instanceof Error ? err.message : String(err);
      this.logger?.error({ err, model: job.model }, 'recompute failed');
    }
    job.finished_at = new Date(this.now()).toISOString();
  }

  /** The start of the model's first stored window (the first the scheduler detected). */
  private async firstStoredWindow(model: string): Promise<number | undefined> {
    const rows = await this.store.query<{ start: string }>(
      `SELECT toUnixTimestamp64Milli(min(window_start)) AS start FROM ${Tables.detectorRuns}
       WHERE model = {model:String} AND detector = 'drift' AND version = '' AND segment = ''
       HAVING count() > 0`,
      { model },
    );
    return rows[0] ? Number(rows[0].start) : undefined;
  }
}
