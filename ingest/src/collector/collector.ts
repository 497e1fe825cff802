import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyVerifier, Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BatchWriter, BufferFullError } from '../writer/batch-writer';
import { Admission } from './admission';
import { discard, readBody } from './body';
import type { CollectorEnv } from './config';
import { labelKind, predictionKind, prepareBatch, type EventKind } from './event-kinds';
import { HttpError, pathOf, sendError, sendJson } from './http';
import { createCollectorMetrics } from './metrics';
import { parseEvents } from './parse-events';

export interface CollectorDeps {
  store: Store;
  verifier: ApiKeyVerifier;
  logger: Logger;
  registry: Registry;
  config: CollectorEnv;
  retentionDays: number;
}

export interface Collector {
  /** Handles the request if it is the collector's (`/v1/*`); returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stores everything accepted so far. */
  close(): Promise<void>;
}

const RETRY_AFTER_SECONDS = '1';

/** The HTTP collector of the embedded mode: validate, batch, insert, then acknowledge. */
export function createCollector(deps: CollectorDeps): Collector {
  const { config, logger } = deps;
  const writerOptions = {
    maxBatchRows: config.OSPREY_BATCH_MAX_ROWS,
    minIntervalMs: config.OSPREY_INSERT_MIN_INTERVAL_MS,
    maxBufferedRows: config.OSPREY_WRITER_MAX_BUFFERED_ROWS,
    insertAttempts: 3,
    retryBaseMs: 100,
  };
  const writers = new Map<EventKind, BatchWriter>();
  const metrics = createCollectorMetrics(deps.registry, () =>
    Object.fromEntries([...writers.values()].map((w) => [w.table, w.bufferedRows])),
  );
  for (const kind of [predictionKind, labelKind]) {
    writers.set(kind, new BatchWriter(deps.store, kind.table, writerOptions, metrics));
  }
  const admission = new Admission(
    config.OSPREY_MAX_CONCURRENT_PARSES,
    config.OSPREY_MAX_WAITING_REQUESTS,
  );
  const routes: Record<string, EventKind> = {
    '/v1/predictions': predictionKind,
    '/v1/labels': labelKind,
  };

  async function ingest(
    kind: EventKind,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<number> {
    if (req.method !== 'POST') throw new HttpError(405, 'use POST', { allow: 'POST' });
    const auth = await deps.verifier.verify(req.headers.authorization, 'ingest');
    if (!auth.ok) {
      await discard(req);
      throw new HttpError(auth.status, auth.error);
    }
    const writer = writers.get(kind)!;
    const release = writer.isFull() ? undefined : await admission.enter();
    if (!release) {
      await discard(req);
      throw new HttpError(503, 'the collector is at capacity; retry shortly', {
        'retry-after': RETRY_AFTER_SECONDS,
      });
    }
    let prepared: ReturnType<typeof prepareBatch>;
    try {
      const body = await readBody(req, config.OSPREY_MAX_BODY_BYTES);
      const { items, unparsable } = parseEvents(req.headers['content-type'], body);
      prepared = prepareBatch(kind, items, unparsable, {
        receivedAt: Date.now(),
        retentionDays: deps.retentionDays,
      });
    } finally {
      release();
    }
    const { lines, rejected } = prepared;
    try {
      await writer.write(lines);
    } catch (err) {
      if (err instanceof BufferFullError) {
        throw new HttpError(503, err.message, { 'retry-after': RETRY_AFTER_SECONDS });
      }
      logger.error({ err, table: kind.table, rows: lines.length }, 'insert failed after retries');
      throw new HttpError(
        503,
        'storage is unavailable; nothing from this request was stored, retry',
        {
          'retry-after': RETRY_AFTER_SECONDS,
        },
      );
    }
    metrics.accepted.inc({ kind: kind.name }, lines.length);
    if (rejected.length > 0) metrics.rejected.inc({ kind: kind.name }, rejected.length);
    sendJson(res, 200, { accepted: lines.length, rejected });
    return 200;
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = pathOf(req);
    if (path === '/v1/health') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    const kind = routes[path];
    if (!kind) return false;
    ingest(kind, req, res)
      .catch((err: unknown) => {
        const httpError =
          err instanceof HttpError
            ? err
            : new HttpError(500, 'internal error; see the collector log');
        if (!(err instanceof HttpError)) logger.error({ err }, 'collector request failed');
        if (!res.headersSent) sendError(res, httpError);
        return httpError.status;
      })
      .then((status) => metrics.requests.inc({ route: path, status: String(status) }));
    return true;
  }

  return {
    handle,
    async close() {
      await Promise.all([...writers.values()].map((w) => w.close()));
    },
  };
}
