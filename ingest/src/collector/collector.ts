import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKeyVerifier, Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  labelKind,
  predictionKind,
  prepareBatch,
  referenceKind,
  type EventKind,
  type Normalized,
} from '../events/event-kinds';
import type { PredictionEvent } from '../contract/prediction';
import type { DimensionClaims } from '../embeddings/dimension-claims';
import { DimensionRegistry } from '../embeddings/dimension-registry';
import type { ReliableProducer } from '../kafka/client';
import type { PredictionTap } from '../live/prediction-tap';
import { SinkUnavailableError, type EventSink } from '../sinks/event-sink';
import { KafkaSink } from '../sinks/kafka-sink';
import { StoreSink } from '../sinks/store-sink';
import { BufferFullError } from '../writer/batch-writer';
import type { RefusedRow } from '../writer/isolate';
import { Admission, BodyBudget } from './admission';
import { bodyEncoding, decodeBody, discard, readRawBody } from './body';
import type { CollectorEnv } from './config';
import { HttpError, pathOf, sendError, sendJson } from './http';
import { createCollectorMetrics } from './metrics';
import { parseEvents } from './parse-events';

export interface CollectorDeps {
  /** Where accepted events go: the Store (embedded) or Kafka (distributed). */
  destination: { store: Store } | { producer: ReliableProducer };
  verifier: ApiKeyVerifier;
  logger: Logger;
  registry: Registry;
  config: CollectorEnv;
  retentionDays: number;
  /** Where each (model, embedding name)'s dimension is claimed: the store, or the primary's. */
  dimensions: DimensionClaims;
  /** Embedded mode: stored predictions are handed to in-process listeners (live shadow mirrors). */
  tap?: PredictionTap;
}

export interface Collector {
  /** Handles the request if it is the collector's (`/v1/*`); returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stores (or hands to Kafka) everything accepted so far. */
  close(): Promise<void>;
}

const RETRY_AFTER = { 'retry-after': '1' };

type Prepared = ReturnType<typeof prepareBatch>;

function withoutRefused<T>(events: readonly T[], refused: readonly RefusedRow[]): readonly T[] {
  if (refused.length === 0) return events;
  const out = new Set(refused.map((r) => r.index));
  return events.filter((_, i) => !out.has(i));
}

/** The HTTP collector: validate, hand to the sink, acknowledge only once the sink has it. */
export function createCollector(deps: CollectorDeps): Collector {
  const { config, logger } = deps;
  // The gauge reads the sink's buffers lazily, at scrape time, after the sink exists.
  const metrics = createCollectorMetrics(deps.registry, () =>
    sink instanceof StoreSink ? sink.bufferedRows() : {},
  );
  const sink: EventSink =
    'store' in deps.destination
      ? new StoreSink(
          deps.destination.store,
          {
            maxBatchRows: config.OSPREY_BATCH_MAX_ROWS,
            minIntervalMs: config.OSPREY_INSERT_MIN_INTERVAL_MS,
            maxBufferedRows: config.OSPREY_WRITER_MAX_BUFFERED_ROWS,
            insertAttempts: 3,
            retryBaseMs: 100,
          },
          metrics,
        )
      : new KafkaSink(deps.destination.producer);
  const admission = new Admission(
    config.OSPREY_MAX_CONCURRENT_PARSES,
    config.OSPREY_MAX_WAITING_REQUESTS,
  );
  const dimensions = new DimensionRegistry(deps.dimensions);
  const bodyBudget = new BodyBudget(config.OSPREY_MAX_BUFFERED_BODY_BYTES);
  const routes: Record<string, EventKind> = {
    '/v1/predictions': predictionKind as EventKind,
    '/v1/labels': labelKind as EventKind,
    '/v1/reference': referenceKind as EventKind,
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
    if (sink.isFull(kind)) {
      await discard(req);
      throw new HttpError(503, 'the collector is at capacity; retry shortly', RETRY_AFTER);
    }
    const encoding = await bodyEncoding(req);
    // The body first, at the client's pace: a parse slot is taken only once it is all here.
    const raw = await readRawBody(req, config.OSPREY_MAX_BODY_BYTES, bodyBudget);
    let prepared: Prepared;
    try {
      const release = await admission.enter();
      if (!release)
        throw new HttpError(503, 'the collector is at capacity; retry shortly', RETRY_AFTER);
      try {
        const body = await decodeBody(raw.body, encoding, config.OSPREY_MAX_BODY_BYTES);
        const { items, unparsable, repaired } = parseEvents(req.headers['content-type'], body);
        if (repaired > 0) metrics.repaired.inc({ kind: kind.name }, repaired);
        prepared = prepareBatch(kind, items, unparsable, {
          receivedAt: Date.now(),
          retentionDays: deps.retentionDays,
          maxClockSkewS: config.OSPREY_MAX_CLOCK_SKEW,
        });
      } finally {
        release();
      }
    } finally {
      raw.release();
    }
    if (kind !== labelKind) prepared = await checkDimensions(prepared);
    const { written, indices, rejected, tapped } = startWrite(kind, prepared);
    let refused: RefusedRow[];
    try {
      refused = await written;
    } catch (err) {
      if (err instanceof BufferFullError) throw new HttpError(503, err.message, RETRY_AFTER);
      logger.error({ err, sink: sink.name, events: indices.length }, 'events could not be stored');
      const where =
        err instanceof SinkUnavailableError ? 'Kafka is unavailable' : 'storage is unavailable';
      throw new HttpError(
        503,
        `${where}; nothing from this request was stored, retry`,
        RETRY_AFTER,
      );
    }
    const accepted = indices.length - refused.length;
    if (refused.length > 0) {
      logger.warn(
        { kind: kind.name, refused: refused.length, first: refused[0]!.error },
        'rows refused by the store; the rest of the batch is stored',
      );
      for (const r of refused)
        rejected.push({
          index: indices[r.index]!,
          error: `event: the store refused it (${r.error})`,
        });
      rejected.sort((a, b) => a.index - b.index);
    }
    if (tapped) deps.tap!.publish(withoutRefused(tapped, refused) as Normalized<PredictionEvent>[]);
    metrics.accepted.inc({ kind: kind.name }, accepted);
    if (rejected.length > 0) metrics.rejected.inc({ kind: kind.name }, rejected.length);
    sendJson(res, 200, { accepted, rejected });
    return 200;
  }

  /** Moves the events whose vectors have another dimension than their name's to the rejections. */
  async function checkDimensions(prepared: Prepared): Promise<Prepared> {
    const { events, indices, rejected } = prepared;
    if (!events.some((e) => (e as { embeddings?: unknown }).embeddings !== undefined))
      return prepared;
    let checked: Awaited<ReturnType<DimensionRegistry['check']>>;
    try {
      checked = await dimensions.check(events as unknown as { model: string }[]);
    } catch (err) {
      logger.error({ err }, 'embedding dimensions could not be read');
      throw new HttpError(
        503,
        'embedding dimensions are unavailable; nothing from this request was stored, retry',
        RETRY_AFTER,
      );
    }
    if (checked.rejected.length === 0) return prepared;
    for (const r of checked.rejected) rejected.push({ index: indices[r.index]!, error: r.error });
    rejected.sort((a, b) => a.index - b.index);
    return {
      events: checked.kept.map((i) => events[i]!),
      indices: checked.kept.map((i) => indices[i]!),
      rejected,
    };
  }

  /**
   * Hands the events to the sink and keeps only what the answer needs: a request that held its
   * parsed events while Kafka acknowledges keeps them past the young generation, which costs the
   * collector ~10% more CPU in garbage collection (measured, docs/benchmarks.md).
   */
  function startWrite(kind: EventKind, { events, indices, rejected }: Prepared) {
    return {
      written: sink.write(kind, events),
      indices,
      rejected,
      tapped: kind === predictionKind && deps.tap ? events : undefined,
    };
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

  return { handle, close: () => sink.close() };
}
