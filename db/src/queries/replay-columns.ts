import type { Store } from '../store/store';
import { Tables } from '../tables';
import {
  REPLAY_RANGE,
  featureValue,
  sliceParams,
  type ReplayRange,
  type ReplayRow,
} from './shadow';

/**
 * A slice of logged events as columns: what a replay feeds the candidate, decoded from ClickHouse's
 * RowBinary straight into typed arrays (no object per event). Row i's features are
 * `x[i*k .. i*k+k)` (row-major, the layout of an [n, k] input tensor), NaN where not logged.
 */
export interface ReplayColumns {
  n: number;
  /** Features per event, in the order of the spec's feature list. */
  k: number;
  x: Float64Array;
  /** Event time, epoch ms. */
  ts: Float64Array;
  /** Production's logged number; NaN where none was logged (see predictionNumNull). */
  predictionNum: Float64Array;
  /** 1 where production logged no number. */
  predictionNumNull: Uint8Array;
  predictionLabel: (string | null)[];
  version: string[];
  /** 1 for the events of the run's deterministic sample (cityHash64(event_id) below a bound). */
  sampled: Uint8Array;
  /** The event's id as text (decoded only for the events that need it). */
  eventId(i: number): string;
}

/**
 * A run's sample: events whose cityHash64(event_id) is below this bound (of 2^64). The same hash
 * orders the dashboard's scatter, so the events it draws are always among those sampled.
 */
export function sampleBound(rate: number): bigint {
  if (rate >= 1) return 2n ** 64n - 1n;
  return BigInt(Math.floor(Math.max(0, rate) * 2 ** 53)) << 11n;
}

/**
 * The events of `[from, to)` (a slice of the run's range) in (timestamp, event_id) order as
 * columns; undefined when the slice holds more than `maxRows` events, so the caller can split it
 * (see replaySlice, which answers the same events as objects).
 */
export async function replaySliceColumns(
  store: Store,
  range: ReplayRange,
  features: readonly string[],
  slice: { from: number; to: number },
  maxRows: number,
  sample: bigint,
): Promise<ReplayColumns | undefined> {
  const bytes = await store.queryBinary(
    `SELECT toString(event_id), toUnixTimestamp64Milli(timestamp), toString(version),
       ${features.map((_, i) => `toFloat64(${featureValue(i)})`).join(', ')}${features.length ? ',' : ''}
       prediction_num, CAST(prediction_label AS Nullable(String)),
       toUInt8(cityHash64(event_id) <= {sample:UInt64})
     FROM ${Tables.predictions}
     WHERE ${REPLAY_RANGE}
     ORDER BY timestamp, event_id
     LIMIT {limit:UInt64}`,
    { ...sliceParams(range, features, slice, maxRows), sample: sample.toString() },
    'RowBinary',
  );
  const columns = decodeReplayRows(bytes, features.length, maxRows + 1);
  return columns.n > maxRows ? undefined : columns;
}

/** Decodes replaySliceColumns's RowBinary rows (see its SELECT for the layout). */
export function decodeReplayRows(bytes: Uint8Array, k: number, capacity: number): ReplayColumns {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A row is at least 36+1 (id) + 8 (ts) + 1 (version) + 8k + 1 + 1 + 1 bytes.
  const most = Math.min(capacity, Math.floor(buf.length / (49 + 8 * k)));
  const x = new Float64Array(most * k);
  const ts = new Float64Array(most);
  const predictionNum = new Float64Array(most);
  const predictionNumNull = new Uint8Array(most);
  const sampled = new Uint8Array(most);
  const idAt = new Uint32Array(most);
  const predictionLabel: (string | null)[] = [];
  const version: string[] = [];
  let lastVersion = '';
  let lastVersionAt = 0;
  let lastVersionLen = -1;
  // A local cursor rather than RowBinaryReader: its position as a property costs this hot loop
  // about 8% (65,536-row slices, 6 features).
  let p = 0;
  let n = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (p < buf.length) {
    const idLen = varint();
    idAt[n] = p;
    if (idLen !== 36) throw new Error(`replay rows: event id of ${idLen} bytes, not 36`);
    p += idLen;
    // An Int64 of epoch ms: exact as a double (well inside 2^53).
    ts[n] = view.getUint32(p, true) + view.getInt32(p + 4, true) * 4294967296;
    p += 8;
    const vLen = varint();
    // Consecutive events mostly share their version: decode it once per run of equal bytes.
    let same = vLen === lastVersionLen;
    for (let j = 0; same && j < vLen; j++) same = buf[p + j] === buf[lastVersionAt + j];
    if (!same) {
      lastVersion = buf.toString('utf8', p, p + vLen);
      lastVersionLen = vLen;
    }
    lastVersionAt = p;
    version.push(lastVersion);
    p += vLen;
    // Non-finite values as NaN and a NaN prediction as none: what the JSON reader made of them.
    const row = n * k;
    for (let j = 0; j < k; j++, p += 8) {
      const v = view.getFloat64(p, true);
      x[row + j] = Number.isFinite(v) ? v : NaN;
    }
    let logged = NaN;
    if (buf[p++] !== 1) {
      logged = view.getFloat64(p, true);
      p += 8;
    }
    if (Number.isFinite(logged)) predictionNum[n] = logged;
    else {
      predictionNum[n] = NaN;
      predictionNumNull[n] = 1;
    }
    if (buf[p++] === 1) predictionLabel.push(null);
    else {
      const len = varint();
      predictionLabel.push(buf.toString('utf8', p, p + len));
      p += len;
    }
    sampled[n] = buf[p++]!;
    n++;
  }
  return {
    n,
    k,
    x: x.subarray(0, n * k),
    ts: ts.subarray(0, n),
    predictionNum: predictionNum.subarray(0, n),
    predictionNumNull: predictionNumNull.subarray(0, n),
    predictionLabel,
    version,
    sampled: sampled.subarray(0, n),
    eventId: (i) => buf.toString('latin1', idAt[i]!, idAt[i]! + 36),
  };
}

/** Events already held as objects (a live mirror's), as columns; every one in the sample. */
export function columnsFromRows(rows: readonly ReplayRow[], k: number): ReplayColumns {
  const n = rows.length;
  const x = new Float64Array(n * k);
  const predictionNum = new Float64Array(n);
  const predictionNumNull = new Uint8Array(n);
  rows.forEach((r, i) => {
    for (let j = 0; j < k; j++) x[i * k + j] = r.x[j] ?? NaN;
    predictionNum[i] = r.prediction_num ?? NaN;
    predictionNumNull[i] = r.prediction_num === null ? 1 : 0;
  });
  return {
    n,
    k,
    x,
    ts: Float64Array.from(rows, (r) => r.ts),
    predictionNum,
    predictionNumNull,
    predictionLabel: rows.map((r) => r.prediction_label),
    version: rows.map((r) => r.version),
    sampled: new Uint8Array(n).fill(1),
    eventId: (i) => rows[i]!.event_id,
  };
}

/** Rows [from, to) of a batch of columns, sharing their buffers. */
export function sliceColumns(c: ReplayColumns, from: number, to: number): ReplayColumns {
  return {
    n: to - from,
    k: c.k,
    x: c.x.subarray(from * c.k, to * c.k),
    ts: c.ts.subarray(from, to),
    predictionNum: c.predictionNum.subarray(from, to),
    predictionNumNull: c.predictionNumNull.subarray(from, to),
    predictionLabel: c.predictionLabel.slice(from, to),
    version: c.version.slice(from, to),
    sampled: c.sampled.subarray(from, to),
    eventId: (i) => c.eventId(from + i),
  };
}
