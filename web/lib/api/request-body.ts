import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** How long the rest of a refused body is read and thrown away before the connection is cut. */
const DISCARD_MS = 10_000;

/**
 * The request body as a Node stream, read only as fast as it is consumed. `discardRest()` lets go
 * of it after a refusal (413, 400) without resetting the connection: the rest of the body is read
 * and dropped for a while, so the client still gets to read the answer, then the connection is
 * cut. (Destroying the body outright resets the socket under a client that is still sending.)
 */
export function requestBody(req: Request): { body: Readable; discardRest(): void } | undefined {
  if (!req.body) return undefined;
  const source = Readable.fromWeb(req.body as unknown as WebReadableStream);
  const body = new PassThrough();
  source.on('error', (error) => body.destroy(error));
  source.pipe(body);
  let discarding = false;
  return {
    body,
    discardRest() {
      if (discarding) return;
      discarding = true;
      source.unpipe(body);
      body.destroy();
      if (source.readableEnded) return;
      const cut = setTimeout(() => source.destroy(), DISCARD_MS).unref();
      source.once('close', () => clearTimeout(cut));
      source.resume();
    },
  };
}
