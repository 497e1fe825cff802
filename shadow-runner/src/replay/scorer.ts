import {
  aggregateShadowResults,
  labelsForEvents,
  type ReplayColumns,
  type ShadowRunRow,
  type Store,
} from '@osprey/db';
import type { ModelVersion } from '../api';
import type { InferencePool, LoadedModel } from '../inference/pool';
import { specFeatures } from '../registry/input-spec';
import type { ModelRegistry } from '../registry/registry';
import { chooseOutput, compareBatch, type OutputChoice } from './compare';
import type { VerdictCriteria } from './schema';
import { SideBySide } from './side-by-side';
import type { SideBySideSkipped } from './side-by-side-report';
import { buildFeeds } from './tensors';
import type { BatchChoice } from './batch-size';
import { ResultWriter } from './result-writer';
import { decide } from './verdict';
import type { WireTensors } from '../inference/tensors';
import type { RunResult } from '../inference/protocol';

/** A batch through the candidate, waiting to be compared and written. */
export interface Inferred {
  batch: ReplayColumns;
  outputs: WireTensors;
  runMs: number;
  labels: Map<string, { num: number | null; str: string | null }>;
  /** Production's model on the same batch (side by side). */
  production?: RunResult;
}

/**
 * Scores batches of logged events with a run's candidate: labels looked up (when any arrived),
 * tensors built from the input spec, inference in the pool, the comparison written as one
 * shadow_batches row per batch and a shadow_results row per kept event (ResultWriter: gathered,
 * one insert in flight). Shared by replay (through runPipeline) and live.
 */
export class Scorer {
  readonly batchMs: number[] = [];
  done = 0;
  /** Main-thread time building tensors and comparing outputs, ms. */
  private prepareMs = 0;
  private readonly writer: ResultWriter;

  private constructor(
    private readonly store: Store,
    private readonly pool: InferencePool,
    private readonly run: ShadowRunRow,
    private readonly key: string,
    private readonly candidate: ModelVersion,
    private readonly choice: OutputChoice,
    readonly columns: string[],
    readonly loaded: LoadedModel,
    /** Production's model run beside the candidate (replays), or why it is not. */
    private readonly sideBySide: SideBySide | SideBySideSkipped | undefined,
  ) {
    this.writer = new ResultWriter(store);
  }

  static async open(
    store: Store,
    registry: ModelRegistry,
    pool: InferencePool,
    run: ShadowRunRow,
    output: string | undefined,
    opts: { sideBySide?: boolean } = {},
  ): Promise<Scorer> {
    const candidate = await registry.require(run.model, run.candidate_version);
    const choice = chooseOutput(candidate.signature, output);
    const key = `${candidate.sha256}:${run.id}`;
    const loaded = await pool.load(key, registry.artifacts.pathOf(candidate.sha256));
    let sideBySide: SideBySide | SideBySideSkipped | undefined;
    try {
      sideBySide = opts.sideBySide
        ? await SideBySide.open(store, registry, pool, run, candidate, choice)
        : undefined;
    } catch (err) {
      await pool.unload(key);
      throw err;
    }
    const columns = specFeatures(candidate.input_spec);
    if (sideBySide instanceof SideBySide)
      for (const f of sideBySide.features) if (!columns.includes(f)) columns.push(f);
    return new Scorer(store, pool, run, key, candidate, choice, columns, loaded, sideBySide);
  }

  private get twin(): SideBySide | undefined {
    return this.sideBySide instanceof SideBySide ? this.sideBySide : undefined;
  }

  /** Scores one batch: inference, then its results queued for writing (see flush). */
  async score(batch: ReplayColumns, labelsSince: number | undefined): Promise<void> {
    if (batch.n === 0) return;
    await this.record(await this.infer(batch, labelsSince));
  }

  /** The candidate's outputs for a batch, and the labels that arrived for its events. */
  async infer(batch: ReplayColumns, labelsSince: number | undefined): Promise<Inferred> {
    const { candidate, run } = this;
    const labels =
      labelsSince === undefined
        ? Promise.resolve(new Map<string, { num: number | null; str: string | null }>())
        : labelsForEvents(
            this.store,
            run.model,
            labelsSince,
            Array.from({ length: batch.n }, (_, i) => batch.eventId(i)),
          );
    const started = performance.now();
    const feeds = buildFeeds(batch, candidate.input_spec, candidate.signature, this.columns);
    this.prepareMs += performance.now() - started;
    const runCandidate = () => this.pool.run(this.key, feeds);
    const twin = this.twin;
    const [both, labelled] = await Promise.all([
      twin
        ? twin.run(runCandidate, twin.feeds(batch, this.columns))
        : runCandidate().then((candidate) => ({ candidate, production: undefined })),
      labels,
    ]);
    const { outputs, runMs } = both.candidate;
    return { batch, outputs, runMs, labels: labelled, production: both.production };
  }

  /** Compares an inferred batch with production and queues its results for writing. */
  async record({ batch, outputs, runMs, labels, production }: Inferred): Promise<void> {
    const { run } = this;
    if (production) this.twin?.add(batch, { candidate: { outputs, runMs }, production }, labels);
    this.batchMs.push(runMs);
    const started = performance.now();
    const compared = compareBatch(
      run.id,
      this.batchMs.length - 1,
      run.candidate_version,
      run.model,
      batch,
      outputs,
      this.choice,
      labels,
      runMs,
    );
    this.prepareMs += performance.now() - started;
    await this.writer.add(compared);
    this.done += batch.n;
  }

  /** Waits for the results recorded so far to be written. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** The summary (aggregated in ClickHouse over the run's results so far) and the verdict. */
  async summarize(
    criteria: VerdictCriteria,
    batch: BatchChoice,
    extra: Record<string, unknown> = {},
    timing: { readMs?: number; scoringMs?: number } = {},
  ): Promise<{ summary: string; verdict: string }> {
    await this.flush();
    const started = performance.now();
    const aggregates = await aggregateShadowResults(this.store, this.run.id);
    const ms = (v: number | undefined) => (v === undefined ? null : Math.round(v));
    // Busy time per stage; the stages overlap, so they add up to more than `scoring`, the wall
    // time from the first read to the last write.
    const stages_ms = {
      scoring: ms(timing.scoringMs),
      read: ms(timing.readMs),
      infer: ms(this.batchMs.reduce((a, b) => a + b, 0)),
      prepare_and_compare: ms(this.prepareMs),
      write: ms(this.writer.writeMs),
      summarize: ms(performance.now() - started),
    };
    const sorted = [...this.batchMs].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null;
    const inferenceSeconds = this.batchMs.reduce((a, b) => a + b, 0) / 1000;
    const latency = {
      batches: this.batchMs.length,
      batch_size: batch.size,
      batch_size_chosen_by: batch.chosen_by,
      p50_ms: q(0.5),
      p95_ms: q(0.95),
      max_ms: sorted.at(-1) ?? null,
      inference_rows_per_second:
        inferenceSeconds > 0 ? Math.round(this.done / inferenceSeconds) : null,
    };
    const side = this.sideBySide instanceof SideBySide ? this.sideBySide.report() : this.sideBySide;
    const verdict = decide(this.choice.task, aggregates, latency.p95_ms, criteria, side);
    const summary = {
      task: this.choice.task,
      output: this.choice.output,
      ...aggregates,
      latency,
      stages_ms,
      provider: this.loaded.placement.provider,
      nodes: this.loaded.placement.nodes,
      provider_attempts: this.loaded.attempts,
      ...(side && { side_by_side: side }),
      ...extra,
    };
    return { summary: JSON.stringify(summary), verdict: JSON.stringify(verdict) };
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.twin?.close();
    await this.pool.unload(this.key);
  }
}
