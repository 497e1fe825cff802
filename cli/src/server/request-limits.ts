import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectorEnv } from '@osprey/ingest';
import { shadowEnv } from '@osprey/shadow-runner/config';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);

/** How much a request body may be and how long it may take, for every route (docs/security.md). */
export const requestLimitsEnv = z.object({
  /** Bytes of any body that is not events (the collector's) or a model upload. */
  OSPREY_MAX_JSON_BODY_BYTES: positiveInt(1024 * 1024),
  /** Seconds a whole request body may take to arrive. */
  OSPREY_BODY_TIMEOUT_S: seconds(30),
  /** Seconds a request body may go without a byte arriving. */
  OSPREY_BODY_IDLE_TIMEOUT_S: seconds(10),
  /** Seconds a model upload's body may take to arrive (uploads are large; idle is as above). */
  OSPREY_UPLOAD_TIMEOUT_S: seconds(900),
});

export interface RequestLimits {
  /** The collector's OSPREY_MAX_BODY_BYTES (it counts inflated bytes itself). */
  ingestBytes: number;
  jsonBytes: number;
  /** OSPREY_MAX_ARTIFACT_BYTES plus room for the multipart framing and form fields. */
  uploadBytes: number;
  bodyMs: number;
  idleMs: number;
  uploadMs: number;
}

const MULTIPART_ROOM = 1024 * 1024;
// A role that does not configure the collector's or the registry's limits keeps their defaults,
// read from their own schemas so the two never disagree.
const defaults = {
  ...requestLimitsEnv.parse({}),
  OSPREY_MAX_BODY_BYTES: collectorEnv.parse({}).OSPREY_MAX_BODY_BYTES,
  OSPREY_MAX_ARTIFACT_BYTES: shadowEnv.parse({}).OSPREY_MAX_ARTIFACT_BYTES,
};

/** The limits from a role's environment; what a role does not configure keeps its default. */
export function requestLimits(
  env: Partial<z.infer<typeof requestLimitsEnv>> & {
    OSPREY_MAX_BODY_BYTES?: number;
    OSPREY_MAX_ARTIFACT_BYTES?: number;
  },
): RequestLimits {
  const e = { ...defaults, ...env };
  return {
    ingestBytes: e.OSPREY_MAX_BODY_BYTES,
    jsonBytes: e.OSPREY_MAX_JSON_BODY_BYTES,
    uploadBytes: e.OSPREY_MAX_ARTIFACT_BYTES + MULTIPART_ROOM,
    bodyMs: e.OSPREY_BODY_TIMEOUT_S * 1000,
    idleMs: e.OSPREY_BODY_IDLE_TIMEOUT_S * 1000,
    uploadMs: e.OSPREY_UPLOAD_TIMEOUT_S * 1000,
  };
}

export interface RouteLimit {
  /** Which row of the table below. */
  kind: 'ingest' | 'upload' | 'api';
  maxBytes: number;
  /** The variable that sets maxBytes, for the answer. */
  variable: string;
  totalMs: number;
  idleMs: number;
}

const INGEST_PATHS = new Set(['/v1/predictions', '/v1/labels', '/v1/reference']);
const UPLOAD_PATH = /^\/api\/v1\/models\/[^/]+\/versions\/?$/;

/**
 * The one table of body limits: the collector's event routes, the model upload, and everything else
 * (JSON). Every route falls in one row, so no route is left without a cap and a deadline.
 */
export function routeLimit(method: string, path: string, limits: RequestLimits): RouteLimit {
  const deadlines = { totalMs: limits.bodyMs, idleMs: limits.idleMs };
  if (INGEST_PATHS.has(path))
    return {
      kind: 'ingest',
      maxBytes: limits.ingestBytes,
      variable: 'OSPREY_MAX_BODY_BYTES',
      ...deadlines,
    };
  if (method === 'POST' && UPLOAD_PATH.test(path))
    return {
      kind: 'upload',
      maxBytes: limits.uploadBytes,
      variable: 'OSPREY_MAX_ARTIFACT_BYTES',
      totalMs: limits.uploadMs,
      idleMs: limits.idleMs,
    };
  return {
    kind: 'api',
    maxBytes: limits.jsonBytes,
    variable: 'OSPREY_MAX_JSON_BODY_BYTES',
    ...deadlines,
  };
}

/** The longest any body may take: Node's own request timeout must not cut a route's deadline. */
export function longestBodyMs(limits: RequestLimits): number {
  return Math.max(limits.bodyMs, limits.uploadMs);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * How long a refused request's connection stays open after the answer, its further bytes read and
 * dropped: closing at once with the client's bytes still unread sends a reset, and a client still
 * writing can lose the answer with it (nginx's lingering close).
 */
const LINGER_MS = 500;

function refuse(res: ServerResponse, status: number, error: string): void {
  const socket = res.socket;
  if (res.headersSent || !socket) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  // Node closes a `connection: close` socket as soon as the answer is written (destroySoon); for a
  // refused body that is the moment the client is still writing, so it lingers instead: the
  // answer is followed by a FIN, the rest of the body is read and dropped (Node dumps the unread
  // request), and only then is the socket destroyed.
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  res.end(body);
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  limit: RouteLimit;
  started: number;
  lastProgress: number;
  bytesRead: number;
}

/**
 * Holds every request body to its route's cap and deadlines before any handler reads it.
 * Over the cap by its Content-Length: 413 at once, unread (the collector's routes are left to the
 * collector, which also counts a gzip body's inflated bytes and drains the body so an SDK reads
 * the 413 and splits its batch). A chunked body (no length) is taken only where the handler counts
 * bytes as they arrive — the collector and the model upload — and refused with 411 elsewhere. A body
 * that takes longer than the deadline, or sends nothing for the idle time: 408 and the
 * connection is closed. Progress is the socket's bytes read, checked on one shared timer, so a
 * slow client costs a timer check, not a timer of its own; a body the handler has not started
 * reading yet (its buffer full) counts as progressing, since then we are the slow side.
 */
export class BodyGuard {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: RequestLimits,
    private readonly tickMs = 250,
  ) {}

  /** Answers the request itself and returns false when it is refused before any handler runs. */
  admit(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (!hasBody(req) || req.complete) return true;
    const limit = routeLimit(req.method ?? 'GET', path, this.limits);
    if (limit.kind !== 'ingest') {
      const length = req.headers['content-length'];
      if (length === undefined && limit.kind === 'api') {
        refuse(res, 411, 'send the body with a Content-Length (chunked bodies are not taken here)');
        return false;
      }
      const declared = Number(length ?? 0);
      if (!Number.isFinite(declared) || declared > limit.maxBytes) {
        refuse(res, 413, `request body is larger than ${limit.maxBytes} bytes (${limit.variable})`);
        return false;
      }
    }
    const now = performance.now();
    const entry: Watched = {
      req,
      res,
      limit,
      started: now,
      lastProgress: now,
      bytesRead: req.socket.bytesRead,
    };
    this.watched.add(entry);
    res.once('close', () => this.watched.delete(entry));
    this.timer ??= setInterval(() => this.check(), this.tickMs).unref();
    return true;
  }

  private check(): void {
    const now = performance.now();
    for (const w of this.watched) {
      if (w.req.complete) {
        this.watched.delete(w);
        continue;
      }
      const bytesRead = w.req.socket?.bytesRead ?? w.bytesRead;
      const waitingForUs = w.req.readableLength >= w.req.readableHighWaterMark;
      if (bytesRead !== w.bytesRead || waitingForUs) {
        w.bytesRead = bytesRead;
        w.lastProgress = now;
      }
      const total = now - w.started > w.limit.totalMs;
      if (total || now - w.lastProgress > w.limit.idleMs) {
        this.watched.delete(w);
        refuse(
          w.res,
          408,
          total
            ? `the request body took longer than ${w.limit.totalMs / 1000} s; send it faster or in smaller parts`
            : `no byte of the request body arrived for ${w.limit.idleMs / 1000} s`,
        );
      }
    }
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
