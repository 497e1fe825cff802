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
  ['timestamp', "Array(DateTime64(3, 'UTC'))"],
  ['production_version', 'Array(String)'],
  ['production_num', 'Array(Nullable(Float64))'],
  ['production_label', 'Array(Nullable(String))'],
  ['candidate_num', 'Array(Nullable(Float64))'],
  ['candidate_label', 'Array(Nullable(String))'],
  ['abs_diff', 'Array(Nullable(Float64))'],
  ['agree', 'Array(Nullable(UInt8))'],
  ['label_num', 'Array(Nullable(Float64))'],
  ['label_str', 'Array(Nullable(String))'],
] as const;

/** Writes batches in one insert (RowBinary: the arrays are copied, never printed as text). */
export async function insertShadowBatches(
  store: Store,
  batches: readonly ShadowBatch[],
): Promise<void> {
  if (batches.length === 0) return;
  await store.insertRowBinary(Tables.shadowBatches, COLUMNS, encodeShadowBatches(batches));
}

export function encodeShadowBatches(batches: readonly ShadowBatch[]): Uint8Array {
  const w = new RowBinaryWriter(batches.reduce((a, b) => a + 256 + b.n * 64, 0));
  for (const b of batches) {
    w.uuid(b.run_id);
    w.u32(b.batch);
    w.string(b.model);
    w.string(b.candidate_version);
    w.f32(b.batch_ms);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < b.n; i++) {
      lo = Math.min(lo, b.timestamp[i]!);
      hi = Math.max(hi, b.timestamp[i]!);
    }
    w.i64(b.n > 0 ? lo : 0);
    w.i64(b.n > 0 ? hi : 0);
    w.varint(b.n);
    for (let i = 0; i < b.n; i++) w.i64(b.timestamp[i]!);
    w.varint(b.n);
    for (let i = 0; i < b.n; i++) w.string(b.production_version[i]!);
    w.nullableFloats(b.production_num, b.n);
    w.nullableStrings(b.production_label, b.n);
    w.nullableFloats(b.candidate_num, b.n);
    w.nullableStrings(b.candidate_label, b.n);
    w.nullableFloats(b.abs_diff, b.n);
    w.varint(b.n);
    for (let i = 0; i < b.n; i++) {
      const a = b.agree[i]!;
      if (a === AGREE_NULL) w.u8(1);
      else {
        w.u8(0);
        w.u8(a);
      }
    }
    w.nullableFloats(b.label_num, b.n);
    w.nullableStrings(b.label_str, b.n);
  }
  return w.bytes();
}

/** ClickHouse RowBinary, little-endian, into one growing buffer. */
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

  u8(v: number): void {
    this.room(1);
    this.buf[this.p++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.p = this.buf.writeUInt32LE(v, this.p);
  }

  f32(v: number): void {
    this.room(4);
    this.p = this.buf.writeFloatLE(v, this.p);
  }

  i64(v: number): void {
    this.room(8);
    this.p = this.buf.writeBigInt64LE(BigInt(v), this.p);
  }

  f64(v: number): void {
    this.room(8);
    this.p = this.buf.writeDoubleLE(v, this.p);
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

  nullableFloats(values: Float64Array, n: number): void {
    this.varint(n);
    this.room(9 * n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) this.buf[this.p++] = 1;
      else {
        this.buf[this.p++] = 0;
        this.p = this.buf.writeDoubleLE(v, this.p);
      }
    }
  }

  nullableStrings(values: readonly (string | null)[], n: number): void {
    this.varint(n);
    for (let i = 0; i < n; i++) {
      const v = values[i] ?? null;
      if (v === null) this.u8(1);
      else {
        this.u8(0);
        this.string(v);
      }
    }
  }
}

const EVENT_COLUMNS = `run_id, model, timestamp, production_version, production_num,
  production_label, candidate_num, candidate_label, abs_diff, agree, label_num, label_str, scored_at`;
const ARRAYS = `timestamp, production_version, production_num, production_label, candidate_num,
  candidate_label, abs_diff, agree, label_num, label_str`;
const WINDOW = `timestamp >= fromUnixTimestamp64Milli({from:Int64})
  AND timestamp < fromUnixTimestamp64Milli({to:Int64})`;

/**
 * Scored events, one row each with shadow_results' column names, for the queries that aggregate
 * over them: one run's (bound {id:String}) or, with `window`, one model's between {from:Int64}
 * and {to:Int64} (bound {model:String}). Runs scored before shadow_batches existed have rows in
 * shadow_results only, and are read from there.
 */
export function shadowEvents(filter: 'run' | 'window'): string {
  const batches =
    filter === 'run'
      ? `run_id = toUUID({id:String})`
      : `model = {model:String} AND ts_max >= fromUnixTimestamp64Milli({from:Int64})
         AND ts_min < fromUnixTimestamp64Milli({to:Int64})`;
  const events =
    filter === 'run' ? `run_id = toUUID({id:String})` : `model = {model:String} AND ${WINDOW}`;
  return `(
    SELECT ${EVENT_COLUMNS} FROM (SELECT run_id, model, scored_at, ${ARRAYS}
      FROM ${Tables.shadowBatches} WHERE ${batches})
    ARRAY JOIN ${ARRAYS}
    ${filter === 'window' ? `WHERE ${WINDOW}` : ''}
    UNION ALL
    SELECT ${EVENT_COLUMNS} FROM ${Tables.shadowResults}
    WHERE ${events}
      AND run_id NOT IN (SELECT run_id FROM ${Tables.shadowBatches} WHERE ${batches})
  )`;
}
