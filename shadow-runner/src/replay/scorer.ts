import {
  aggregateShadowResults,
  insertShadowResults,
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
import { buildFeeds } from './tensors';
import { decide } from './verdict';

/**
 * Scores batches of logged events with a run's candidate: labels looked up (when any arrived),
 * tensors built from the input spec, inference in the pool, one shadow_results row per event
 * written while the next batch is read and run (one insert in flight). Shared by replay and live.
 */
export class Scorer {
  readonly batchMs: number[] = [];
  done = 0;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    private readonly pool: InferencePool,
    private readonly run: ShadowRunRow,
    private readonly key: string,
    private readonly candidate: ModelVersion,
    private readonly choice: OutputChoice,
    readonly columns: string[],
    readonly loaded: LoadedModel,
  ) {}

  static async open(
    store: Store,
    registry: ModelRegistry,
    pool: InferencePool,
    run: ShadowRunRow,
    output: string | undefined,
  ): Promise<Scorer> {
    const candidate = await registry.require(run.model, run.candidate_version);
    const choice = chooseOutput(candidate.signature, output);
    const key = `${candidate.sha256}:${run.id}`;
    const loaded = await pool.load(key, registry.artifacts.pathOf(candidate.sha256));
    const columns = specFeatures(candidate.input_spec);
    return new Scorer(store, pool, run, key, candidate, choice, columns, loaded);
  }

  /** Scores one batch; its results are written in the background (see flush). */
  async score(batch: ReplayColumns, labelsSince: number | undefined): Promise<void> {
    if (batch.n === 0) return;
    const { candidate, run } = this;
    const labels =
      labelsSince === undefined
        ? Promise.resolve(new Map())
        : labelsForEvents(
            this.store,
            run.model,
            labelsSince,
            Array.from({ length: batch.n }, (_, i) => batch.eventId(i)),
          );
    const feeds = buildFeeds(batch, candidate.input_spec, candidate.signature, this.columns);
    const [result, labelled] = await Promise.all([this.pool.run(this.key, feeds), labels]);
    this.batchMs.push(result.runMs);
    const results = compareBatch(
      run.id,
      run.candidate_version,
      run.model,
      batch,
      result.outputs,
      this.choice,
      labelled,
      result.runMs,
    );
    await this.writing;
    this.writing = insertShadowResults(this.store, results);
    this.writing.catch(() => undefined); // awaited by the next batch or flush()
    this.done += batch.n;
  }

  /** Waits for the results written so far. */
  flush(): Promise<void> {
    return this.writing;
  }

  /** The summary (aggregated in ClickHouse over the run's results so far) and the verdict. */
  async summarize(
    criteria: VerdictCriteria,
    batchSize: number,
    extra: Record<string, unknown> = {},
  ): Promise<{ summary: string; verdict: string }> {
    await this.flush();
    const aggregates = await aggregateShadowResults(this.store, this.run.id);
    const sorted = [...this.batchMs].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : null;
    const inferenceSeconds = this.batchMs.reduce((a, b) => a + b, 0) / 1000;
    const latency = {
      batches: this.batchMs.length,
      batch_size: batchSize,
      p50_ms: q(0.5),
      p95_ms: q(0.95),
      max_ms: sorted.at(-1) ?? null,
      inference_rows_per_second:
        inferenceSeconds > 0 ? Math.round(this.done / inferenceSeconds) : null,
    };
    const verdict = decide(this.choice.task, aggregates, latency.p95_ms, criteria);
    const summary = {
      task: this.choice.task,
      output: this.choice.output,
      ...aggregates,
      latency,
      provider: this.loaded.placement.provider,
      nodes: this.loaded.placement.nodes,
      provider_attempts: this.loaded.attempts,
      ...extra,
    };
    return { summary: JSON.stringify(summary), verdict: JSON.stringify(verdict) };
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.pool.unload(this.key);
  }
}
