import type { ReplayColumns } from '@osprey/db';
import type { InputSpec } from '../api';
import type { ModelSignature } from '../inference/session';
import type { WireTensor, WireTensors } from '../inference/tensors';

/**
 * The candidate's input tensors for a batch of events. `columns` is the order of the batch's
 * features (the spec's features, each once); each input gets its features' columns as [n, k]
 * (or [n] for a rank-1 input) in the input's own type.
 */
export function buildFeeds(
  batch: ReplayColumns,
  spec: InputSpec,
  signature: ModelSignature,
  columns: readonly string[],
): WireTensors {
  const { n } = batch;
  const feeds: WireTensors = {};
  for (const input of spec.inputs) {
    const declared = signature.inputs.find((i) => i.name === input.name)!;
    const idx = input.features.map((f) => columns.indexOf(f));
    const dims = declared.shape.length === 1 ? [n] : [n, idx.length];
    feeds[input.name] = fill(declared.type, gather(batch, idx), dims);
  }
  return feeds;
}

/** The [n, idx.length] row-major values of features idx: the batch's own array when it is all of them in order. */
function gather(batch: ReplayColumns, idx: readonly number[]): Float64Array {
  const { n, k, x } = batch;
  if (idx.length === k && idx.every((c, j) => c === j)) return x;
  const m = idx.length;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = x[i * k + idx[j]!]!;
  return out;
}

function fill(type: string, values: Float64Array, dims: number[]): WireTensor {
  switch (type) {
    case 'float64':
      // A copy: the tensor's buffer is transferred to the inference worker.
      return { type, dims, data: values.slice() };
    case 'int32': {
      const data = new Int32Array(values.length);
      for (let j = 0; j < values.length; j++) data[j] = values[j]! | 0;
      return { type, dims, data };
    }
    case 'int64': {
      const data = new BigInt64Array(values.length);
      for (let j = 0; j < values.length; j++) {
        const v = values[j]!;
        data[j] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
      }
      return { type, dims, data };
    }
    default:
      return { type: 'float32', dims, data: new Float32Array(values) };
  }
}
