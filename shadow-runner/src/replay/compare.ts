import type { ReplayRow, ShadowResultRow } from '@osprey/db';
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
  rows: readonly ReplayRow[],
  outputs: WireTensors,
  choice: OutputChoice,
  labels: Map<string, { num: number | null; str: string | null }>,
  batchMs: number,
): ShadowResultRow[] {
  const out = outputs[choice.output]!;
  const width = rows.length > 0 ? out.data.length / rows.length : 1;
  const score = choice.score ? outputs[choice.score] : undefined;
  const regression = choice.task === 'regression';
  const results: ShadowResultRow[] = new Array(rows.length);
  // One object literal per row (same shape every time): this loop runs for every replayed event.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const label = labels.size > 0 ? labels.get(row.event_id) : undefined;
    const value = out.data[i * width]!;
    let candidateNum: number | null = null;
    let candidateLabel: string | null = null;
    let productionLabel = row.prediction_label;
    let absDiff: number | null = null;
    let agree: number | null = null;
    if (regression) {
      const cand = Number(value);
      candidateNum = Number.isFinite(cand) ? cand : null;
      if (row.prediction_num !== null && candidateNum !== null)
        absDiff = Math.abs(candidateNum - row.prediction_num);
    } else {
      candidateLabel = String(value);
      productionLabel ??= row.prediction_num !== null ? String(row.prediction_num) : null;
      candidateNum = score ? Number(score.data[i * 2 + 1]) : null;
      agree = productionLabel === null ? null : productionLabel === candidateLabel ? 1 : 0;
    }
    results[i] = {
      run_id: runId,
      event_id: row.event_id,
      timestamp: row.ts,
      model,
      production_version: row.version,
      candidate_version: candidateVersion,
      production_num: row.prediction_num,
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
