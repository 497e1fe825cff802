import type { ReplayColumns } from '@osprey/db';

/** Consecutive batches of events as one (a batch that spans two slices). */
export function concatColumns(parts: readonly ReplayColumns[]): ReplayColumns {
  const n = parts.reduce((a, p) => a + p.n, 0);
  const k = parts[0]!.k;
  const x = new Float64Array(n * k);
  const ts = new Float64Array(n);
  const predictionNum = new Float64Array(n);
  const predictionNumNull = new Uint8Array(n);
  const sampled = new Uint8Array(n);
  const starts: number[] = [];
  let at = 0;
  for (const p of parts) {
    starts.push(at);
    x.set(p.x, at * k);
    ts.set(p.ts, at);
    predictionNum.set(p.predictionNum, at);
    predictionNumNull.set(p.predictionNumNull, at);
    sampled.set(p.sampled, at);
    at += p.n;
  }
  return {
    n,
    k,
    x,
    ts,
    predictionNum,
    predictionNumNull,
    predictionLabel: parts.flatMap((p) => p.predictionLabel),
    version: parts.flatMap((p) => p.version),
    sampled,
    eventId: (i) => {
      let j = parts.length - 1;
      while (starts[j]! > i) j--;
      return parts[j]!.eventId(i - starts[j]!);
    },
  };
}
