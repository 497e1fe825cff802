import type { ReplayColumns } from '@osprey/db';

/** Batches in the inference pool at once: the next one waits in the worker while one runs. */
export const INFER_AHEAD = 2;

export interface PipelineStages<Inferred> {
  /** The next batch of events (the reader keeps its next slice in flight); undefined at the end. */
  read(): Promise<ReplayColumns | undefined>;
  /** Inference (and label look-ups) for one batch. */
  infer(batch: ReplayColumns): Promise<Inferred>;
  /** Compares and queues the batch's results for writing (the writer keeps one write in flight). */
  record(inferred: Inferred): Promise<void>;
  /** After each recorded batch: progress, cancellation, hand-off; throws to stop the run. */
  between(): Promise<void>;
}

/**
 * A replay's stages overlapped with bounded queues: slice k+1 is read while batches of slice k
 * are inferred (INFER_AHEAD in the pool) and the results of earlier ones are written. Batches are
 * recorded in order. When a stage throws, what is in flight is awaited and dropped, never
 * recorded, and the error is rethrown.
 */
export async function runPipeline<Inferred>(
  stages: PipelineStages<Inferred>,
  ahead = INFER_AHEAD,
): Promise<void> {
  const inflight: Promise<Inferred>[] = [];
  let ended = false;
  try {
    for (;;) {
      while (!ended && inflight.length < ahead) {
        const batch = await stages.read();
        if (!batch || batch.n === 0) ended = true;
        else {
          const p = stages.infer(batch);
          p.catch(() => undefined); // awaited below, in order
          inflight.push(p);
        }
      }
      const next = inflight.shift();
      if (!next) return;
      await stages.record(await next);
      await stages.between();
    }
  } finally {
    await Promise.allSettled(inflight);
  }
}
