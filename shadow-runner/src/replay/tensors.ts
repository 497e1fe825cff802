import type { ReplayRow } from '@osprey/db';
import type { InputSpec } from '../api';
import type { ModelSignature } from '../inference/session';
import type { WireTensor, WireTensors } from '../inference/tensors';

/**
 * The candidate's input tensors for a page of rows. `columns` is the order of `row.x` (the
 * spec's features, each once); each input gets its features' columns as [n, k] (or [n] for a
 * rank-1 input) in the input's own type.
 */
export function buildFeeds(
  rows: readonly ReplayRow[],
  spec: InputSpec,
  signature: ModelSignature,
  columns: readonly string[],
): WireTensors {
  const n = rows.length;
  const feeds: WireTensors = {};
  for (const input of spec.inputs) {
    const declared = signature.inputs.find((i) => i.name === input.name)!;
    const idx = input.features.map((f) => columns.indexOf(f));
    const k = idx.length;
    const dims = declared.shape.length === 1 ? [n] : [n, k];
    feeds[input.name] = fill(
      declared.type,
      n * k,
      (j) => rows[Math.floor(j / k)]!.x[idx[j % k]!]!,
      dims,
    );
  }
  return feeds;
}

function fill(type: string, size: number, at: (j: number) => number, dims: number[]): WireTensor {
  switch (type) {
    case 'float64': {
      const data = new Float64Array(size);
      for (let j = 0; j < size; j++) data[j] = at(j);
      return { type, dims, data };
    }
    case 'int32': {
      const data = new Int32Array(size);
      for (let j = 0; j < size; j++) data[j] = at(j) | 0;
      return { type, dims, data };
    }
    case 'int64': {
      const data = new BigInt64Array(size);
      for (let j = 0; j < size; j++) {
        const v = at(j);
        data[j] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
      }
      return { type, dims, data };
    }
    default: {
      const data = new Float32Array(size);
      for (let j = 0; j < size; j++) data[j] = at(j);
      return { type: 'float32', dims, data };
    }
  }
}
