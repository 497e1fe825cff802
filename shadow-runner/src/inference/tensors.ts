/**
 * Tensors as they cross a worker boundary: plain objects whose data buffers are transferred, not
 * copied. Only the numeric types the registry accepts as model inputs and outputs.
 */
export type TensorType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';
export type TensorData =
  Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export interface WireTensor {
  type: TensorType;
  dims: number[];
  data: TensorData;
}

export type WireTensors = Record<string, WireTensor>;

export const TENSOR_TYPES: readonly TensorType[] = [
  'float32',
  'float64',
  'int32',
  'int64',
  'uint8',
  'int8',
  'bool',
];

export function isTensorType(type: string): type is TensorType {
  return (TENSOR_TYPES as readonly string[]).includes(type);
}

/** The buffers to list in postMessage's transfer list (each once). */
export function transferList(tensors: WireTensors): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) buffers.add(t.data.buffer as ArrayBuffer);
  return [...buffers];
}

/** A zero-filled tensor for a declared shape, symbolic dimensions set to `batch`. */
export function zeros(
  type: TensorType,
  shape: readonly (number | string)[],
  batch = 1,
): WireTensor {
  const dims = shape.map((d) => (typeof d === 'number' && d >= 0 ? d : batch));
  const size = dims.reduce((a, b) => a * b, 1);
  const data =
    type === 'float32'
      ? new Float32Array(size)
      : type === 'float64'
        ? new Float64Array(size)
        : type === 'int32'
          ? new Int32Array(size)
          : type === 'int64'
            ? new BigInt64Array(size)
            : type === 'int8'
              ? new Int8Array(size)
              : new Uint8Array(size);
  return { type, dims, data };
}
