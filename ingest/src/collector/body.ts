import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { HttpError } from './http';

/**
 * Inflated output per step. Each step is a round trip to the thread pool: with zlib's 16 KiB, a
 * 1,000-event SDK batch takes ~45 of them and twice the CPU (docs/benchmarks.md).
 */
const GUNZIP_CHUNK_BYTES = 256 * 1024;

/**
 * Reads a request body of at most `limit` bytes — before and after decompression. A gzip body is
 * inflated as a stream and abandoned as soon as its output passes the limit, so a gzip bomb costs
 * one chunk of memory, not its inflated size. A refused body is still drained (and discarded) so
 * the client reads our answer instead of a broken pipe: an SDK told 413 splits its batch, one that
 * sees a reset would retry the same batch forever.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(
      413,
      `request body is larger than ${limit} bytes (OSPREY_MAX_BODY_BYTES); send smaller batches`,
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    await discard(req);
    throw tooLarge();
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    await discard(req);
    throw new HttpError(
      415,
      `Content-Encoding '${encoding}' is not supported; send gzip or no encoding`,
    );
  }
  const source =
    encoding === 'gzip' ? req.pipe(createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES })) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (err) {
    if (source !== req) {
      req.unpipe();
      source.destroy();
    }
    await discard(req);
    if (err instanceof HttpError) throw err;
    if (encoding === 'gzip') throw new HttpError(400, 'request body is not valid gzip');
    throw new HttpError(400, `could not read the request body: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks, size);
}

/** Reads the rest of a request and throws it away (no memory kept). */
export async function discard(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  req.resume();
  await finished(req).catch(() => undefined);
}
