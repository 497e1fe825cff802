import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyVerifier, type Store } from '@osprey/db';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { DimensionClaims } from '../embeddings/dimension-claims';
import { createCollector, type Collector } from './collector';
import { collectorEnv } from './config';

/** A store that records the lines inserted into it and never fails. */
function recordingStore() {
  const inserted: string[] = [];
  const store = {
    insertJsonLines: (_table: string, lines: Buffer) => {
      inserted.push(...lines.toString().split('\n'));
      return Promise.resolve();
    },
  } as unknown as Store;
  return { store, inserted };
}

let server: Server | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  await new Promise((r) => server?.close(r));
});

async function start(store: Store, dimensions: DimensionClaims): Promise<string> {
  collector = createCollector({
    destination: { store },
    dimensions,
    verifier: new ApiKeyVerifier(() =>
      Promise.resolve({
        id: 'k',
        name: 'test',
        prefix: 'osp_test',
        scopes: ['ingest'],
        created_at: '2026-01-01T00:00:00Z',
        revoked_at: null,
      }),
    ),
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    config: collectorEnv.parse({}),
    retentionDays: 90,
  });
  server = createServer((req, res) => collector!.handle(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const send = (url: string, events: unknown[]) =>
  fetch(`${url}/v1/predictions`, {
    method: 'POST',
    headers: { authorization: 'Bearer osp_test_key', 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });

const event = { model: 'm', version: 'v1', features: {}, prediction: 1 };

describe('the collector and the dimension registry', () => {
  it('answers 503 and stores nothing when the dimensions cannot be read, then takes the retry', async () => {
    const { store, inserted } = recordingStore();
    let up = false;
    const url = await start(store, {
      claim: (_model, _name, dimension) =>
        up ? Promise.resolve(dimension) : Promise.reject(new Error('store down')),
    });
    const events = [{ ...event, embeddings: { q: [1, 2] } }, event];
    const refused = await send(url, events);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      error: 'embedding dimensions are unavailable; nothing from this request was stored, retry',
    });
    expect(inserted).toEqual([]);
    up = true;
    const retried = await send(url, events);
    expect(await retried.json()).toEqual({ accepted: 2, rejected: [] });
    expect(inserted).toHaveLength(2);
    expect(JSON.parse(inserted[0]!).slice(-2)).toEqual([{ q: [1, 2] }, {}]);
  });

  it('asks nothing for a batch without vectors', async () => {
    const { store, inserted } = recordingStore();
    const url = await start(store, { claim: () => Promise.reject(new Error('never asked')) });
    expect(await (await send(url, [event, { ...event, text: { t: 'x' } }])).json()).toEqual({
      accepted: 2,
      rejected: [],
    });
    expect(inserted).toHaveLength(2);
  });
});
