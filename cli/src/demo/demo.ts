import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureApiKey, listModels, type Store } from '@osprey/db';
import { Osprey } from '@osprey/sdk';
import type { Logger } from 'pino';
import { houseSale } from './house-prices';

export const DEMO_MODEL = 'house-prices';
const HISTORY_HOURS = 24;
const HISTORY_EVENTS = 20_000;
const LABELLED_SHARE = 0.3;
const REFERENCE_ROWS = 5_000;

/** The demo's own ingest key, kept in the data directory so restarts reuse it. */
async function demoKey(store: Store, dataDir: string): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'demo.key');
  const key = existsSync(file)
    ? readFileSync(file, 'utf8').trim()
    : `osp_demo_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, key, { mode: 0o600 });
  await ensureApiKey(store, { name: 'demo', key, scopes: ['ingest'] });
  return key;
}

/**
 * Feeds the house-price model through the TypeScript SDK, like a real service would: a day of
 * history on first start, then live traffic at `rate` predictions/s, v1 in production and v2 on a
 * tenth of the traffic; sale prices arrive later as labels for part of it.
 */
export async function startDemo(opts: {
  store: Store;
  logger: Logger;
  url: string;
  dataDir: string;
  rate: number;
}): Promise<{ stop(): Promise<void> }> {
  const client = new Osprey({ url: opts.url, apiKey: await demoKey(opts.store, opts.dataDir) });
  const emit = (timestamp: number) => {
    const version = Math.random() < 0.1 ? 'v2' : 'v1';
    const sale = houseSale(version);
    const eventId = client.log({
      model: DEMO_MODEL,
      version,
      timestamp,
      features: sale.features,
      ...(sale.error ? { error: sale.error } : { prediction: sale.prediction }),
      latency_ms: sale.latencyMs,
      tags: { region: Math.random() < 0.6 ? 'eu-west' : 'us-east' },
    });
    if (!sale.error && Math.random() < LABELLED_SHARE) {
      client.logLabel({
        model: DEMO_MODEL,
        event_id: eventId,
        label: sale.price,
        timestamp: timestamp + 3_600_000,
      });
    }
  };

  const known = await listModels(opts.store);
  if (!known.some((m) => m.model === DEMO_MODEL)) {
    const now = Date.now();
    const span = HISTORY_HOURS * 3_600_000;
    for (let i = 0; i < HISTORY_EVENTS; i++) {
      emit(now - span + Math.floor((i / HISTORY_EVENTS) * span));
      if (i % 2_000 === 1_999) await client.flush();
    }
    await client.flush();
    // v1's validation set, as a team would log it once when the version ships: the reference
    // every window's drift is measured against.
    const reference = Array.from({ length: REFERENCE_ROWS }, () => {
      const sale = houseSale('v1');
      return { features: sale.features, prediction: sale.prediction };
    });
    await client.logReference(DEMO_MODEL, 'v1', reference, { referenceId: 'v1-validation' });
    opts.logger.info(
      { model: DEMO_MODEL, events: HISTORY_EVENTS, reference: REFERENCE_ROWS },
      'demo history and reference dataset loaded',
    );
  }

  const tickMs = 100;
  let carry = 0;
  const timer = setInterval(() => {
    carry += (opts.rate * tickMs) / 1000;
    for (; carry >= 1; carry--) emit(Date.now());
  }, tickMs);
  opts.logger.info({ model: DEMO_MODEL, rate: opts.rate }, 'demo traffic running');
  return {
    async stop() {
      clearInterval(timer);
      await client.close();
    },
  };
}
