import type { ReplayColumns, ShadowResultRow } from '@osprey/db';
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

/** One result row per event: production's logged answer next to the candidate's. */
export function compareBatch(
  runId: string,
  candidateVersion: string,
  model: string,
  batch: ReplayColumns,
  outputs: WireTensors,
  choice: OutputChoice,
  labels: Map<string, { num: number | null; str: string | null }>,
  batchMs: number,
): ShadowResultRow[] {
  const n = batch.n;
  const out = outputs[choice.output]!;
  const width = n > 0 ? out.data.length / n : 1;
  const score = choice.score ? outputs[choice.score] : undefined;
  const regression = choice.task === 'regression';
  const results: ShadowResultRow[] = new Array(n);
  // One object literal per row (same shape every time): this loop runs for every replayed event.
  for (let i = 0; i < n; i++) {
    const eventId = batch.eventId(i);
    const label = labels.size > 0 ? labels.get(eventId) : undefined;
    const value = out.data[i * width]!;
    const productionNum = batch.predictionNumNull[i] ? null : batch.predictionNum[i]!;
    let candidateNum: number | null = null;
    let candidateLabel: string | null = null;
    let productionLabel = batch.predictionLabel[i] ?? null;
    let absDiff: number | null = null;
    let agree: number | null = null;
    if (regression) {
      const cand = Number(value);
      candidateNum = Number.isFinite(cand) ? cand : null;
      if (productionNum !== null && candidateNum !== null)
        absDiff = Math.abs(candidateNum - productionNum);
    } else {
      candidateLabel = String(value);
      productionLabel ??= productionNum !== null ? String(productionNum) : null;
      candidateNum = score ? Number(score.data[i * 2 + 1]) : null;
      agree = productionLabel === null ? null : productionLabel === candidateLabel ? 1 : 0;
    }
    results[i] = {
      run_id: runId,
      event_id: eventId,
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
      label_num: label?.num ?? null,
      label_str: label?.str ?? null,
      batch_ms: batchMs,
    };
  }
  return results;
}
