import { randomUUID } from 'node:crypto';
import { sendBatch, type SendContext, type Settled } from './delivery';
import { OspreyError, redact } from './errors';
import type { LogReferenceOptions, ReferenceRow, ReferenceUpload } from './types';
import { checkReferenceUpload, toWireReference, type WireReference } from './validate';
import { errorText } from './wrap';

export const DEFAULT_REFERENCE_BATCH_ROWS = 5000;

type Rows = Iterable<ReferenceRow> | AsyncIterable<ReferenceRow>;

/**
 * Uploads a reference dataset to `/v1/reference`, one batch at a time: rows are checked and
 * copied as they are read, cut into batches of at most `batchRows` rows and `maxBatchBytes` of
 * JSON, and each batch is sent (gzipped, retried, split on 413) before the next is read. Rows
 * refused here or by the collector come back by their index in `rows`. Rejects with an
 * `OspreyError` (kind `failed`) when a batch cannot be delivered; nothing after it is read or sent.
 */
export async function uploadReference(
  ctx: SendContext,
  apiKey: string,
  model: string,
  version: string,
  rows: Rows,
  opts: LogReferenceOptions = {},
): Promise<ReferenceUpload> {
  const referenceId = opts.referenceId ?? randomUUID();
  const batchRows = opts.batchRows ?? DEFAULT_REFERENCE_BATCH_ROWS;
  const problem = checkReferenceUpload(model, version, referenceId);
  if (problem !== undefined) throw new TypeError(`Osprey.logReference: ${problem}`);
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new TypeError('Osprey.logReference: batchRows must be a whole number >= 1');
  }
  if (!isIterable(rows)) {
    throw new TypeError(
      'Osprey.logReference: rows must be an iterable or async iterable of { features, prediction?, label?, tags? }',
    );
  }

  const upload: ReferenceUpload = { referenceId, accepted: 0, rejected: [] };
  let batch: WireReference[] = [];
  let indices: number[] = []; // each batch row's index in the upload
  let bytes = 1; // the batch's JSON: `[`, then each row and the `,` or `]` after it
  const flush = async () => {
    const sent = indices;
    await sendBatch(ctx, batch, (outcome) => settle(outcome, sent));
    batch = [];
    indices = [];
    bytes = 1;
  };
  const settle = (outcome: Settled<WireReference>, sent: number[]) => {
    const at = (i: number) => sent[outcome.offset + i]!;
    if (!outcome.ok) {
      const n = outcome.events.length;
      const which = n === 1 ? `row ${at(0)}` : `rows ${at(0)}-${at(n - 1)}`;
      const stored =
        upload.accepted > 0
          ? `the ${upload.accepted} rows accepted before are stored under this reference_id; ` +
            'upload the whole dataset again to replace them'
          : 'no row of this upload was stored';
      const message =
        `logReference(${model}, ${version}): reference_id ${referenceId}: ${which} could not be ` +
        `delivered: ${outcome.reason}; ${stored}`;
      throw new OspreyError('failed', redact(message, apiKey), n, outcome.status);
    }
    upload.accepted += outcome.accepted;
    for (const r of outcome.rejected) {
      if (Number.isInteger(r.index) && r.index >= 0 && r.index < outcome.events.length) {
        upload.rejected.push({ index: at(r.index), error: String(r.error) });
      }
    }
  };

  let index = 0;
  for await (const row of rows) {
    const i = index++;
    let wire: WireReference | string;
    try {
      wire = toWireReference(row, model, version, referenceId);
    } catch (err) {
      wire = `row: could not be read: ${errorText(err)}`;
    }
    if (typeof wire === 'string') {
      upload.rejected.push({ index: i, error: wire });
      continue;
    }
    const size = Buffer.byteLength(JSON.stringify(wire)) + 1;
    if (1 + size > ctx.maxBatchBytes) {
      upload.rejected.push({
        index: i,
        error: `row: ${size - 1} bytes of JSON, more than maxBatchBytes (${ctx.maxBatchBytes})`,
      });
      continue;
    }
    if (batch.length >= batchRows || bytes + size > ctx.maxBatchBytes) await flush();
    batch.push(wire);
    indices.push(i);
    bytes += size;
  }
  if (batch.length > 0) await flush();
  upload.rejected.sort((a, b) => a.index - b.index);
  return upload;
}

function isIterable(v: unknown): v is Rows {
  return (
    typeof v === 'object' &&
    v !== null &&
    (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' ||
      typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}
