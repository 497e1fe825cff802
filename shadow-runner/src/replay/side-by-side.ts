import { latestDeployment, type ReplayColumns, type ShadowRunRow, type Store } from '@osprey/db';
import type { ModelVersion } from '../api';
import type { InferencePool } from '../inference/pool';
import type { RunResult } from '../inference/protocol';
import type { WireTensors } from '../inference/tensors';
import { specFeatures } from '../registry/input-spec';
import type { ModelRegistry } from '../registry/registry';
import { Agreement } from './agreement';
import { chooseOutput, type OutputChoice } from './compare';
import type {
  LabelledComparison,
  ModelFacts,
  SideBySideReport,
  SideBySideSkipped,
} from './side-by-side-report';
import { SpeedMeter, speedup } from './speed';
import { buildFeeds } from './tensors';

type Production = { version: ModelVersion } | SideBySideSkipped;

/** The production version to run beside `candidate`, or why there is none. */
export async function productionToCompare(
  store: Store,
  registry: ModelRegistry,
  model: string,
  candidate: string,
): Promise<Production> {
  const deployed = await latestDeployment(store, model);
  if (!deployed) return { skipped: `${model} has no production version` };
  if (deployed.version === candidate)
    return { skipped: `the candidate ${candidate} is the production version` };
  const version = await registry.get(model, deployed.version);
  if (!version)
    return {
      skipped: `production ${deployed.version} is not registered as an ONNX model (push it to compare speed and recomputed outputs)`,
    };
  return { version };
}

/**
 * Production's registered model run beside the candidate: the same rows, the same batches, the
 * same inference pool, one model after the other (alternating which goes first, so neither
 * always finds the caches warm). Speed is each model's time inside session.run; agreement is
 * accumulated exactly, batch by batch, against production's recomputed and logged outputs.
 * With several pool workers, the replay's next batch may run beside this one's second model:
 * both models share that contention alike, so the speed-up stays fair, the absolute latencies
 * are a loaded machine's.
 */
export class SideBySide {
  private readonly speed = { candidate: new SpeedMeter(), production: new SpeedMeter() };
  private readonly vsRecomputed = new Agreement();
  private readonly vsLogged = new Agreement();
  private readonly recomputedVsLogged = new Agreement();
  private readonly labelled = { candidate: new Agreement(), production: new Agreement() };
  private batches = 0;

  private constructor(
    private readonly pool: InferencePool,
    private readonly key: string,
    private readonly candidate: ModelVersion,
    private readonly choice: OutputChoice,
    readonly production: ModelVersion,
    private readonly productionChoice: OutputChoice,
  ) {}

  /** Loads production's model for the run, or answers why it is not compared. */
  static async open(
    store: Store,
    registry: ModelRegistry,
    pool: InferencePool,
    run: ShadowRunRow,
    candidate: ModelVersion,
    choice: OutputChoice,
  ): Promise<SideBySide | SideBySideSkipped> {
    const found = await productionToCompare(store, registry, run.model, candidate.version);
    if ('skipped' in found) return found;
    const production = found.version;
    // The output the request named may be the candidate's own: production answers with its default.
    const named = production.signature.outputs.some((o) => o.name === choice.output);
    const productionChoice = chooseOutput(production.signature, named ? choice.output : undefined);
    if (productionChoice.task !== choice.task)
      return {
        skipped: `production ${production.version} is a ${productionChoice.task} model and the candidate a ${choice.task} one`,
      };
    const key = `${production.sha256}:${run.id}:production`;
    try {
      await pool.load(key, registry.artifacts.pathOf(production.sha256));
    } catch (err) {
      // The candidate's replay goes on: production's model is extra.
      await pool.unload(key).catch(() => undefined);
      const why = err instanceof Error ? err.message : String(err);
      return { skipped: `production ${production.version} did not load: ${why}` };
    }
    return new SideBySide(pool, key, candidate, choice, production, productionChoice);
  }

  /** The logged features production's input reads (the replay reads the union with the candidate's). */
  get features(): string[] {
    return specFeatures(this.production.input_spec);
  }

  /** Production's input for a batch (tensors of its own: the candidate's are sent away). */
  feeds(batch: ReplayColumns, columns: readonly string[]): WireTensors {
    return buildFeeds(batch, this.production.input_spec, this.production.signature, columns);
  }

  /** Runs the candidate (`runCandidate`) and production one after the other. */
  async run(
    runCandidate: () => Promise<RunResult>,
    productionFeeds: WireTensors,
  ): Promise<{ candidate: RunResult; production: RunResult }> {
    const runProduction = () => this.pool.run(this.key, productionFeeds);
    if (this.batches++ % 2 === 0) {
      const candidate = await runCandidate();
      return { candidate, production: await runProduction() };
    }
    const production = await runProduction();
    return { candidate: await runCandidate(), production };
  }

  /** Adds one batch: both models' times and outputs, what production logged, the labels. */
  add(
    batch: ReplayColumns,
    results: { candidate: Pick<RunResult, 'outputs' | 'runMs'>; production: RunResult },
    labels: Map<string, { num: number | null; str: string | null }>,
  ): void {
    const { n } = batch;
    this.speed.candidate.add(results.candidate.runMs, n);
    this.speed.production.add(results.production.runMs, n);
    const cand = column(results.candidate.outputs, this.choice.output, n);
    const prod = column(results.production.outputs, this.productionChoice.output, n);
    for (let i = 0; i < n; i++) {
      const label = labels.size > 0 ? labels.get(batch.eventId(i)) : undefined;
      const loggedNum = batch.predictionNumNull[i] ? null : batch.predictionNum[i]!;
      if (this.choice.task === 'regression') {
        const c = finite(cand(i));
        const p = finite(prod(i));
        this.vsRecomputed.addNumber(c, p);
        this.vsLogged.addNumber(c, loggedNum);
        this.recomputedVsLogged.addNumber(p, loggedNum);
        if (label?.num != null) {
          this.labelled.candidate.addNumber(c, label.num);
          this.labelled.production.addNumber(p, label.num);
        }
      } else {
        const c = String(cand(i));
        const p = String(prod(i));
        const logged = batch.predictionLabel[i] ?? (loggedNum !== null ? String(loggedNum) : null);
        this.vsRecomputed.addLabel(c, p);
        this.vsLogged.addLabel(c, logged);
        this.recomputedVsLogged.addLabel(p, logged);
        if (label?.str != null) {
          this.labelled.candidate.addLabel(c, label.str);
          this.labelled.production.addLabel(p, label.str);
        }
      }
    }
  }

  report(): SideBySideReport {
    const regression = this.choice.task === 'regression';
    const pick = (a: Agreement) => (regression ? a.numeric() : a.labels());
    const facts = (v: ModelVersion, output: string, speed: SpeedMeter): ModelFacts => ({
      version: v.version,
      size_bytes: v.size_bytes,
      output,
      ...speed.report(),
    });
    const candidate = facts(this.candidate, this.choice.output, this.speed.candidate);
    const production = facts(this.production, this.productionChoice.output, this.speed.production);
    return {
      task: this.choice.task,
      candidate,
      production,
      speedup: speedup(candidate, production),
      size_ratio: this.candidate.size_bytes / this.production.size_bytes,
      agreement: {
        candidate_vs_recomputed: pick(this.vsRecomputed),
        candidate_vs_logged: pick(this.vsLogged),
        recomputed_vs_logged: pick(this.recomputedVsLogged),
      },
      labelled: this.labelledComparison(regression),
    };
  }

  private labelledComparison(regression: boolean): LabelledComparison {
    const delta = (c: number | null, p: number | null) => (c !== null && p !== null ? c - p : null);
    if (regression) {
      const c = this.labelled.candidate.numeric();
      const p = this.labelled.production.numeric();
      return {
        events: c.compared,
        candidate_mae: c.mae,
        production_mae: p.mae,
        mae_delta: delta(c.mae, p.mae),
        candidate_accuracy: null,
        production_accuracy: null,
        accuracy_delta: null,
      };
    }
    const c = this.labelled.candidate.labels();
    const p = this.labelled.production.labels();
    return {
      events: c.compared,
      candidate_mae: null,
      production_mae: null,
      mae_delta: null,
      candidate_accuracy: c.agreement,
      production_accuracy: p.agreement,
      accuracy_delta: delta(c.agreement, p.agreement),
    };
  }

  close(): Promise<void> {
    return this.pool.unload(this.key);
  }
}

/** Row i's value of an output (its first column), as compareBatch reads the candidate's. */
function column(outputs: WireTensors, name: string, rows: number) {
  const data = outputs[name]!.data;
  const width = rows > 0 ? data.length / rows : 1;
  return (i: number): number | bigint => data[i * width]!;
}

function finite(v: number | bigint): number | null {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
