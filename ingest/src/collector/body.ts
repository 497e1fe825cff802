import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { BodyBudget } from './admission';
import { HttpError } from './http';

/**
 * Inflated output per step. Each step is a round trip to the thread pool: with zlib's 16 KiB, a
 * 1,000-event SDK batch takes ~45 of them and twice the CPU (docs/benchmarks.md).
 */
const GUNZIP_CHUNK_BYTES = 256 * 1024;
const gunzipAsync = promisify(gunzip);

export type BodyEncoding = 'identity' | 'gzip';

const tooLarge = (limit: number) =>
  new HttpError(
    413,
    `request body is larger than ${limit} bytes (OSPREY_MAX_BODY_BYTES); send smaller batches`,
  );

/** The request's Content-Encoding, or 415 (after draining the body) when it is not one we read. */
export async function bodyEncoding(req: IncomingMessage): Promise<BodyEncoding> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === 'gzip') return encoding;
  await discard(req);
  throw new HttpError(
    415,
    `Content-Encoding '${encoding}' is not supported; send gzip or no encoding`,
  );
}

/**
 * Reads a request body as sent (still compressed) of at most `limit` bytes, at the client's pace.
 * It holds no parse slot while it waits — a slow client costs a socket and the bytes it has sent —
 * and every byte held counts against the collector-wide `budget`, so many slow or large bodies
 * at once get 503 instead of growing the process. (The deadline for the whole body is the HTTP
 * server's, cli/src/server/request-limits.ts.) A refused body is still drained (and discarded) so
 * the client reads our answer instead of a broken pipe: an SDK told 413 splits its batch, one that
 * sees a reset would retry the same batch forever.
 */
export async function readRawBody(
  req: IncomingMessage,
  limit: number,
  budget: BodyBudget,
): Promise<{ body: Buffer; release: () => void }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    await discard(req);
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let held = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      if (!budget.take(chunk.length)) {
        throw new HttpError(503, 'the collector is at capacity; retry shortly', {
          'retry-after': '1',
        });
      }
      held += chunk.length;
      chunks.push(chunk);
    }
  } catch (err) {
    budget.give(held);
    await discard(req);
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, `could not read the request body: ${(err as Error).message}`);
  }
  return {
    body: Buffer.concat(chunks, size),
    release: () => {
      budget.give(held);
      held = 0;
    },
  };
}

/**
 * The body as the events' text: inflated when gzip, and never past `limit` bytes — a gzip bomb is
 * abandoned as soon as its output passes the limit, costing one chunk of memory, not its size.
 */
export async function decodeBody(
  raw: Buffer,
  encoding: BodyEncoding,
  limit: number,
): Promise<Buffer> {
  if (encoding === 'identity') return raw;
  try {
    return await gunzipAsync(raw, { chunkSize: GUNZIP_CHUNK_BYTES, maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new HttpError(400, 'request body is not valid gzip');
  }
}

/** Reads the rest of a request and throws it away (no memory kept). */
export async function discard(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await finished(req).catch(() => undefined);
}
