import type { Store } from '../store/store';
import { Tables } from '../tables';

/**
 * One scored batch of a shadow run as columns (db/migrations/0095): element i of every array is
 * event i. Numbers are NaN where shadow_results would hold null; `agree` is 255 where it would.
 */
export interface ShadowBatch {
  run_id: string;
  batch: number;
  model: string;
  candidate_version: string;
  batch_ms: number;
  n: number;
  /** Epoch ms. */
  timestamp: Float64Array;
  production_version: readonly string[];
  production_num: Float64Array;
  production_label: readonly (string | null)[];
  candidate_num: Float64Array;
  candidate_label: readonly (string | null)[];
  abs_diff: Float64Array;
  agree: Uint8Array;
  label_num: Float64Array;
  label_str: readonly (string | null)[];
}

export const AGREE_NULL = 255;

const COLUMNS = [
  ['run_id', 'UUID'],
  ['batch', 'UInt32'],
  ['model', 'String'],
  ['candidate_version', 'String'],
  ['batch_ms', 'Float32'],
  ['ts_min', "DateTime64(3, 'UTC')"],
  ['ts_max', "DateTime64(3, 'UTC')"],
  ['ts_ms', 'Array(Int64)'],
  ['production_version', 'Array(String)'],
  ['production_num', 'Array(Float64)'],
  ['production_label', 'Array(Nullable(String))'],
  ['candidate_num', 'Array(Float64)'],
  ['candidate_label', 'Array(Nullable(String))'],
  ['abs_diff', 'Array(Float64)'],
  ['agree', 'Array(UInt8)'],
  ['label_num', 'Array(Float64)'],
  ['label_str', 'Array(Nullable(String))'],
] as const;

/** Writes batches in one insert (RowBinary: the typed arrays are copied, never printed as text). */
export async function insertShadowBatches(
  store: Store,
  batches: readonly ShadowBatch[],
): Promise<void> {
  if (batches.length === 0) return;
  await store.insertRowBinary(Tables.shadowBatches, COLUMNS, encodeShadowBatches(batches));
}

export function encodeShadowBatches(batches: readonly ShadowBatch[]): Uint8Array {
  const w = new RowBinaryWriter(batches.reduce((a, b) => a + 256 + b.n * 50, 0));
  for (const b of batches) {
    let lo = Infinity;
    let hi = -Infinity;
    // Int64 epoch ms as little-endian (low, high) 32-bit halves: no BigInt per event.
    const ms = new Int32Array(2 * b.n);
    for (let i = 0; i < b.n; i++) {
      const t = b.timestamp[i]!;
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
      const high = Math.floor(t / 4294967296);
      ms[2 * i] = t - high * 4294967296;
      ms[2 * i + 1] = high;
    }
    if (b.n === 0) lo = hi = 0;
    w.uuid(b.run_id);
    w.u32(b.batch);
    w.string(b.model);
    w.string(b.candidate_version);
    w.f32(b.batch_ms);
    w.ms64(lo);
    w.ms64(hi);
    w.varint(b.n);
    w.raw(ms);
    w.strings(b.production_version, b.n);
    w.array(b.production_num);
    w.nullableStrings(b.production_label, b.n);
    w.array(b.candidate_num);
    w.nullableStrings(b.candidate_label, b.n);
    w.array(b.abs_diff);
    w.array(b.agree);
    w.array(b.label_num);
    w.nullableStrings(b.label_str, b.n);
  }
  return w.bytes();
}

/** ClickHouse RowBinary (little-endian, like the typed arrays here) into one growing buffer. */
class RowBinaryWriter {
  private buf: Buffer;
  private p = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, size));
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.p);
  }

  private room(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.p + n));
    this.buf.copy(next, 0, 0, this.p);
    this.buf = next;
  }

  u32(v: number): void {
    this.room(4);
    this.p = this.buf.writeUInt32LE(v, this.p);
  }

  f32(v: number): void {
    this.room(4);
    this.p = this.buf.writeFloatLE(v, this.p);
  }

  /** Epoch ms as a DateTime64(3): an Int64. */
  ms64(v: number): void {
    this.room(8);
    this.p = this.buf.writeBigInt64LE(BigInt(Math.round(v)), this.p);
  }

  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.p++] = v;
  }

  string(s: string): void {
    const len = Buffer.byteLength(s);
    this.varint(len);
    this.room(len);
    this.p += this.buf.write(s, this.p);
  }

  /** A UUID: its two 64-bit halves, each little-endian (ClickHouse's RowBinary layout). */
  uuid(s: string): void {
    const hex = s.replaceAll('-', '');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${s}`);
    this.room(16);
    const raw = Buffer.from(hex, 'hex');
    for (let half = 0; half < 2; half++)
      for (let j = 0; j < 8; j++) this.buf[this.p + half * 8 + j] = raw[half * 8 + 7 - j]!;
    this.p += 16;
  }

  /** An array of fixed-size numbers: its length, then the typed array's bytes as they are. */
  array(values: Float64Array | Uint8Array): void {
    this.varint(values.length);
    this.raw(values);
  }

  raw(values: Float64Array | Int32Array | Uint8Array): void {
    this.room(values.byteLength);
    this.buf.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), this.p);
    this.p += values.byteLength;
  }

  strings(values: readonly string[], n: number): void {
    this.varint(n);
    for (let i = 0; i < n;) {
      // Consecutive events mostly share their version: one fill per run of equal values.
      let j = i + 1;
      while (j < n && values[j] === values[i]) j++;
      const encoded = encodeString(values[i]!);
      this.room(encoded.length * (j - i));
      this.buf.fill(encoded, this.p, this.p + encoded.length * (j - i));
      this.p += encoded.length * (j - i);
      i = j;
    }
  }

  nullableStrings(values: readonly (string | null)[], n: number): void {
    this.varint(n);
    this.room(n);
    for (let i = 0; i < n;) {
      if ((values[i] ?? null) === null) {
        let j = i + 1;
        while (j < n && (values[j] ?? null) === null) j++;
        this.buf.fill(1, this.p, this.p + (j - i));
        this.p += j - i;
        i = j;
        continue;
      }
      this.buf[this.p++] = 0;
      this.string(values[i]!);
      this.room(n - i);
      i++;
    }
  }
}

/** A String in RowBinary: its varint length, then its UTF-8 bytes. */
function encodeString(s: string): Buffer {
  const bytes = Buffer.from(s);
  const head: number[] = [];
  let len = bytes.length;
  while (len >= 0x80) {
    head.push((len % 0x80) | 0x80);
    len = Math.floor(len / 0x80);
  }
  head.push(len);
  return Buffer.concat([Buffer.from(head), bytes]);
}

const EVENT_COLUMNS = `run_id, model, timestamp, production_version, production_num,
  production_label, candidate_num, candidate_label, abs_diff, agree, label_num, label_str, scored_at`;
const WINDOW = `timestamp >= fromUnixTimestamp64Milli({from:Int64})
  AND timestamp < fromUnixTimestamp64Milli({to:Int64})`;

/**
 * Scored events, one row each with shadow_results' column names and nulls, for the queries that
 * aggregate over them: one run's (bound {id:String}) or, with `window`, one model's between
 * {from:Int64} and {to:Int64} (bound {model:String}). Runs scored before shadow_batches existed
 * have rows in shadow_results only, and are read from there.
 */
export function shadowEvents(filter: 'run' | 'window'): string {
  const batches =
    filter === 'run'
      ? `run_id = toUUID({id:String})`
      : `model = {model:String} AND ts_max >= fromUnixTimestamp64Milli({from:Int64})
         AND ts_min < fromUnixTimestamp64Milli({to:Int64})`;
  const events =
    filter === 'run' ? `run_id = toUUID({id:String})` : `model = {model:String} AND ${WINDOW}`;
  // The arrays are renamed as they are joined (an alias equal to a column name would be cyclic);
  // both branches list EVENT_COLUMNS in order, as UNION ALL matches columns by position.
  return `(
    SELECT run_id, model,
      fromUnixTimestamp64Milli(t, 'UTC') AS timestamp,
      pv AS production_version, if(isNaN(pn), NULL, pn) AS production_num,
      pl AS production_label, if(isNaN(cn), NULL, cn) AS candidate_num,
      cl AS candidate_label, if(isNaN(ad), NULL, ad) AS abs_diff,
      if(ag = ${AGREE_NULL}, NULL, ag) AS agree, if(isNaN(ln), NULL, ln) AS label_num,
      ls AS label_str, scored_at
    FROM (
      SELECT run_id, model, scored_at, t, pv, pn, pl, cn, cl, ad, ag, ln, ls
      FROM ${Tables.shadowBatches}
      ARRAY JOIN ts_ms AS t, production_version AS pv, production_num AS pn,
        production_label AS pl, candidate_num AS cn, candidate_label AS cl, abs_diff AS ad,
        agree AS ag, label_num AS ln, label_str AS ls
      WHERE ${batches})
    ${filter === 'window' ? `WHERE ${WINDOW}` : ''}
    UNION ALL
    SELECT ${EVENT_COLUMNS} FROM ${Tables.shadowResults}
    WHERE ${events}
      AND run_id NOT IN (SELECT run_id FROM ${Tables.shadowBatches} WHERE ${batches})
  )`;
}
