import {
  AGREE_NULL,
  DISAGREEMENT_TOLERANCE,
  type ReplayColumns,
  type ShadowBatch,
  type ShadowResultRow,
} from '@osprey/db';
import { RegistryError } from '../api';
import type { ModelSignature } from '../inference/session';
import type { WireTensors } from '../inference/tensors';

export type Task = 'regression' | 'classification';

export interface OutputChoice {
  task: Task;
  /** The output compared with production's prediction. */
  output: string;
  /** Classification: a [N, 2] float output whose second column is logged as candidate_num. */
  score?: string;
}

/**
 * Which candidate output answers for the model: the one named in the request, else an integer
 * output (a classifier's label; classification) or the first output (regression, first column).
 */
export function chooseOutput(signature: ModelSignature, name?: string): OutputChoice {
  const isInt = (t: string) => t === 'int64' || t === 'int32';
  const chosen = name
    ? signature.outputs.find((o) => o.name === name)
    : (signature.outputs.find((o) => isInt(o.type)) ?? signature.outputs[0]);
  if (!chosen)
    throw new RegistryError(
      400,
      `the candidate has no output "${name}" (it has ${signature.outputs.map((o) => o.name).join(', ')})`,
      'output',
    );
  if (!isInt(chosen.type)) return { task: 'regression', output: chosen.name };
  const score = signature.outputs.find(
    (o) => o.type === 'float32' && o.shape.length === 2 && o.shape[1] === 2,
  );
  return { task: 'classification', output: chosen.name, score: score?.name };
}

/** A scored batch: every event as columns, and the events kept as rows of their own. */
export interface ComparedBatch {
  columns: ShadowBatch;
  /** The sampled events, every disagreement and every labelled event (see keeps()). */
  kept: ShadowResultRow[];
}

/**
 * Production's logged answer next to the candidate's for every event of a batch (the columns of
 * one shadow_batches row), and a shadow_results row for each event worth reading on its own: in
 * the run's sample (`batch.sampled`), labelled, disagreeing (a different label, or a number more
 * than DISAGREEMENT_TOLERANCE of production's apart), or with no comparison where one was due.
 */
export function compareBatch(
  runId: string,
  batchNo: number,
  candidateVersion: string,
  model: string,
  batch: ReplayColumns,
  outputs: WireTensors,
  choice: OutputChoice,
  labels: Map<string, { num: number | null; str: string | null }>,
  batchMs: number,
): ComparedBatch {
  const n = batch.n;
  const out = outputs[choice.output]!;
  const width = n > 0 ? out.data.length / n : 1;
  const score = choice.score ? outputs[choice.score] : undefined;
  const regression = choice.task === 'regression';
  const candidateNums = new Float64Array(n);
  const absDiffs = new Float64Array(n);
  const agrees = new Uint8Array(n);
  const labelNums = new Float64Array(n);
  const productionLabels: (string | null)[] = new Array(n);
  const candidateLabels: (string | null)[] = new Array(n);
  const labelStrs: (string | null)[] = new Array(n);
  const kept: ShadowResultRow[] = [];
  for (let i = 0; i < n; i++) {
    const eventId = labels.size > 0 || batch.sampled[i] ? batch.eventId(i) : undefined;
    const label = eventId === undefined ? undefined : labels.get(eventId);
    const value = out.data[i * width]!;
    const productionNum = batch.predictionNumNull[i] ? null : batch.predictionNum[i]!;
    let candidateNum: number | null = null;
    let candidateLabel: string | null = null;
    let productionLabel = batch.predictionLabel[i] ?? null;
    let absDiff: number | null = null;
    let agree: number | null = null;
    let differs: boolean;
    if (regression) {
      const cand = Number(value);
      candidateNum = Number.isFinite(cand) ? cand : null;
      const d =
        productionNum !== null && candidateNum !== null ? candidateNum - productionNum : NaN;
      // Non-finite (two huge numbers apart) as none: what the JSON rows stored.
      if (Number.isFinite(d)) absDiff = Math.abs(d);
      differs =
        productionNum !== null &&
        (absDiff === null ||
          absDiff > DISAGREEMENT_TOLERANCE * Math.max(Math.abs(productionNum), 1e-12));
    } else {
      candidateLabel = String(value);
      productionLabel ??= productionNum !== null ? String(productionNum) : null;
      const s = score ? Number(score.data[i * 2 + 1]) : NaN;
      // What the JSON rows stored: a non-finite score as null.
      candidateNum = Number.isFinite(s) ? s : null;
      agree = productionLabel === null ? null : productionLabel === candidateLabel ? 1 : 0;
      differs = agree === 0;
    }
    candidateNums[i] = candidateNum ?? NaN;
    absDiffs[i] = absDiff ?? NaN;
    agrees[i] = agree ?? AGREE_NULL;
    const labelNum = label?.num ?? null;
    labelNums[i] = labelNum ?? NaN;
    productionLabels[i] = productionLabel;
    candidateLabels[i] = candidateLabel;
    labelStrs[i] = label?.str ?? null;
    if (batch.sampled[i] || label !== undefined || differs)
      kept.push({
        run_id: runId,
        event_id: eventId ?? batch.eventId(i),
        timestamp: batch.ts[i]!,
        model,
        production_version: batch.version[i]!,
        candidate_version: candidateVersion,
        production_num: productionNum,
        production_label: productionLabel,
        candidate_num: candidateNum,
        candidate_label: candidateLabel,
        abs_diff: absDiff,
        agree,
        label_num: labelNum,
        label_str: label?.str ?? null,
        batch_ms: batchMs,
      });
  }
  return {
    columns: {
      run_id: runId,
      batch: batchNo,
      model,
      candidate_version: candidateVersion,
      batch_ms: batchMs,
      n,
      timestamp: batch.ts,
      production_version: batch.version,
      production_num: batch.predictionNum,
      production_label: productionLabels,
      candidate_num: candidateNums,
      candidate_label: candidateLabels,
      abs_diff: absDiffs,
      agree: agrees,
      label_num: labelNums,
      label_str: labelStrs,
    },
    kept,
  };
}
