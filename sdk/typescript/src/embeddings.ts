/**
 * Vector features and text fields, checked and copied at `log()` time like features: a bad one is
 * refused here naming the field, and the copy cannot change after `log()` returns (a Float32Array
 * the caller reuses for the next request). The limits are the collector's (ingest LIMITS); the one
 * rule only the collector can check is the dimension fixed per (model, name) by its first vector.
 */
const MAX_DIMENSION = 4096;
const MAX_EMBEDDINGS = 16;
const MAX_TEXTS = 16;
const MAX_TEXT_CHARS = 10_000;
const FLOAT32_MAX = 3.4028234663852886e38;

const EMBEDDINGS_PROBLEM = 'embeddings: must be an object of embedding name to array of numbers';
const TEXTS_PROBLEM = 'text: must be an object of text name to string';

export function copyEmbeddings(v: unknown): Record<string, number[]> | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return EMBEDDINGS_PROBLEM;
  const src = v as Record<string, unknown>;
  const names = Object.keys(src);
  if (names.length > MAX_EMBEDDINGS)
    return `embeddings: must have at most ${MAX_EMBEDDINGS} entries`;
  const out: Record<string, number[]> = {};
  for (const name of names) {
    if (name.length === 0 || name.length > 256) return 'embeddings: names must be 1-256 characters';
    const vector = copyVector(src[name], name);
    if (typeof vector === 'string') return vector;
    define(out, name, vector);
  }
  return out;
}

function copyVector(v: unknown, name: string): number[] | string {
  const isVector =
    Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !isBigInts(v));
  const src = v as ArrayLike<unknown>;
  if (!isVector || src.length === 0 || src.length > MAX_DIMENSION) {
    return `embeddings.${clip(name)}: must be an array of 1-${MAX_DIMENSION} numbers`;
  }
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) {
    const x = src[i];
    // One comparison pair for finite and in range: NaN fails both, ±Infinity the bounds.
    if (typeof x !== 'number' || !(x >= -FLOAT32_MAX && x <= FLOAT32_MAX)) {
      return `embeddings.${clip(name)}.${i}: must be a finite number within float32 range`;
    }
    out[i] = x;
  }
  return out;
}

function isBigInts(v: ArrayBufferView): boolean {
  return v instanceof BigInt64Array || v instanceof BigUint64Array;
}

/** Texts longer than the collector takes are cut, like `error`: the event is still worth having. */
export function copyTexts(v: unknown): Record<string, string> | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return TEXTS_PROBLEM;
  const src = v as Record<string, unknown>;
  const names = Object.keys(src);
  if (names.length > MAX_TEXTS) return `text: must have at most ${MAX_TEXTS} entries`;
  const out: Record<string, string> = {};
  for (const name of names) {
    const text = src[name];
    if (typeof text !== 'string') return `text.${clip(name)}: must be a string`;
    if (name.length === 0 || name.length > 256) return 'text: names must be 1-256 characters';
    define(out, name, text.length > MAX_TEXT_CHARS ? cut(text) : text);
  }
  return out;
}

/** The first MAX_TEXT_CHARS code units, one fewer rather than half of a surrogate pair. */
function cut(text: string): string {
  const last = text.charCodeAt(MAX_TEXT_CHARS - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_TEXT_CHARS - 1 : MAX_TEXT_CHARS);
}

function define<T>(out: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__')
    Object.defineProperty(out, name, { value, enumerable: true, writable: true });
  else out[name] = value;
}

function clip(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}
