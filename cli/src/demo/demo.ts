import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureApiKey, generateApiKey, listModels, type Store } from '@osprey/db';
import { lastWindowEnd } from '@osprey/detectors';
import { Osprey } from '@osprey/sdk';
import type { Models } from '@osprey/shadow-runner';
import type { Logger } from 'pino';
import { houseSale, type HouseSale } from './house-prices';
import { Predictor } from './predictor';
import {
  DEMO_SEGMENT,
  ensureRules,
  ensureSegments,
  ensureShadowRun,
  ensureVersions,
} from './setup';
import { HOUR, conditionsAt, dailyCurve, loadStory, saveStory, storyAt, type Story } from './story';

export const DEMO_MODEL = 'house-prices';
/** Mean requests per second of the seeded day (OSPREY_DEMO_RATE's default, so live traffic continues it). */
const HISTORY_RATE = 0.5;
const LABELLED_SHARE = 0.3;
const REFERENCE_ROWS = 5_000;
const BATCH = 5_000;

/** The demo's own ingest key, kept in the data directory so restarts reuse it. */
async function demoKey(store: Store, dataDir: string): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'demo.key');
  const key = existsSync(file) ? readFileSync(file, 'utf8').trim() : generateApiKey().key;
  writeFileSync(file, key, { mode: 0o600 });
  await ensureApiKey(store, { name: 'demo', key, scopes: ['ingest'] });
  return key;
}

/**
 * `osprey start --demo`: a house-price service and its team, through the product's own paths.
 * On first start: v1 and v2 registered from the fixture ONNX models, v1 promoted, a day of
 * history logged through the SDK with v1's real predictions (a latency spike ten hours ago, a
 * feature drifting for the last three) with `region` configured as a segment, v1's validation set
 * (tagged by region too) as the reference, alert rules, and a replay of the day through v2 queued
 * for the shadow runner. Then live traffic at `rate` requests/s from whichever version is in
 * production; sale prices arrive as labels for part of it. Every step is skipped when already done, so restarts on the same directory add nothing.
 * Resolves once the seeding is stored: start the detector scheduler after it, so its first pass
 * backfills the day with the rules in place.
 */
export async function startDemo(opts: {
  store: Store;
  logger: Logger;
  url: string;
  dataDir: string;
  rate: number;
  models: Models;
}): Promise<{ stop(): Promise<void> }> {
  const started = Date.now();
  const { store, models, logger } = opts;
  const log = logger.child({ component: 'demo', model: DEMO_MODEL });
  const client = new Osprey({
    url: opts.url,
    apiKey: await demoKey(store, opts.dataDir),
    maxBatchSize: BATCH,
    maxBufferSize: 4 * BATCH,
  });
  await ensureVersions(models, DEMO_MODEL);
  await ensureSegments(store, DEMO_MODEL);
  const predictor = new Predictor(models.registry, DEMO_MODEL);
  let production = (await models.deployments.production(DEMO_MODEL))!.version;
  await predictor.load(production).catch((err: unknown) => {
    log.error({ err, version: production }, 'demo cannot serve the production version; using v1');
    production = 'v1';
  });
  const unsubscribe = models.deployments.onChange((change) => {
    if (change.model !== DEMO_MODEL) return;
    // Like a service watching production: load the new version, then switch to it.
    predictor.load(change.version).then(
      () => {
        production = change.version;
        log.info({ version: change.version }, 'demo traffic now served by the production version');
      },
      (err: unknown) =>
        log.error({ err, version: change.version }, 'demo cannot serve this version'),
    );
  });

  const emit = async (times: number[], story: Story | undefined) => {
    const version = production;
    const sales = times.map((t) => houseSale(version, story ? conditionsAt(story, t) : undefined));
    const predictions = await predictor.predict(
      version,
      sales.map((s) => s.features),
    );
    sales.forEach((sale, i) => logSale(client, version, times[i]!, sale, predictions[i]!));
  };

  let story = loadStory(opts.dataDir);
  let justSeeded = false;
  if (!story) {
    story = storyAt(Date.now());
    // Events from an older demo without a story file: continue them, seed no second history.
    justSeeded = !(await listModels(store)).some((m) => m.model === DEMO_MODEL);
    if (justSeeded) await seedHistory(client, predictor, story, emit, log);
    saveStory(opts.dataDir, story);
  }
  await ensureRules(store, DEMO_MODEL);
  const run = await ensureShadowRun(models, DEMO_MODEL, story, { justSeeded });
  log.info({ ms: Date.now() - started, shadow_run: run?.id }, 'demo story seeded');
  void announceReady(store, models, run?.id, started, log);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let last = Date.now();
  let carry = 0;
  const liveStory = story;
  const tick = async () => {
    const now = Date.now();
    carry += ((now - last) / 1000) * opts.rate * dailyCurve(now);
    last = now;
    const n = Math.floor(carry);
    carry -= n;
    await emit(
      Array.from({ length: n }, () => now),
      liveStory,
    ).catch((err: unknown) => log.error({ err }, 'demo traffic failed'));
    if (!stopped) timer = setTimeout(() => void tick(), 200);
  };
  timer = setTimeout(() => void tick(), 200);
  log.info({ rate: opts.rate, version: production }, 'demo traffic running');
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await client.close();
      await predictor.close();
    },
  };
}

/** The demo's traffic and its reference come 60% from eu-west, 40% from us-east. */
const regionTag = () => ({ [DEMO_SEGMENT]: Math.random() < 0.6 ? 'eu-west' : 'us-east' });

function logSale(
  client: Osprey,
  version: string,
  timestamp: number,
  sale: HouseSale,
  prediction: number,
) {
  const eventId = client.log({
    model: DEMO_MODEL,
    version,
    timestamp,
    features: sale.features,
    ...(sale.error ? { error: sale.error } : { prediction: Math.round(prediction) }),
    latency_ms: sale.latencyMs,
    tags: regionTag(),
  });
  if (!sale.error && Math.random() < LABELLED_SHARE) {
    // The sale closes about an hour after the estimate.
    client.logLabel({
      model: DEMO_MODEL,
      event_id: eventId,
      label: sale.price,
      timestamp: timestamp + HOUR,
    });
  }
}

/** The seeded day, minute by minute along the daily curve, then v1's validation set. */
async function seedHistory(
  client: Osprey,
  predictor: Predictor,
  story: Story,
  emit: (times: number[], story: Story) => Promise<void>,
  log: Logger,
): Promise<void> {
  let times: number[] = [];
  let events = 0;
  for (let minute = story.history.from; minute < story.history.to; minute += 60_000) {
    let expected = 60 * HISTORY_RATE * dailyCurve(minute);
    for (; expected > 0; expected--) {
      if (expected < 1 && Math.random() > expected) break;
      times.push(Math.min(story.history.to - 1, minute + Math.floor(Math.random() * 60_000)));
    }
    if (times.length >= BATCH) {
      events += times.length;
      await emit(times, story);
      await client.flush();
      times = [];
    }
  }
  events += times.length;
  await emit(times, story);
  await client.flush();
  // The validation set a team logs once when the version ships: what drift is measured against.
  const sales = Array.from({ length: REFERENCE_ROWS }, () => houseSale('v1'));
  const predictions = await predictor.predict(
    'v1',
    sales.map((s) => s.features),
  );
  await client.logReference(
    DEMO_MODEL,
    'v1',
    // Tagged like the traffic, so each region's drift is measured against its own reference rows.
    sales.map((s, i) => ({
      features: s.features,
      prediction: Math.round(predictions[i]!),
      tags: regionTag(),
    })),
    { referenceId: 'v1-validation' },
  );
  log.info({ events, reference: REFERENCE_ROWS }, 'demo history and reference dataset loaded');
}

/**
 * Logs `demo story ready` with the seconds since start once the story is on the dashboard: the
 * shadow run finished and the detectors caught up with the seeded day (so its alerts fired).
 */
async function announceReady(
  store: Store,
  models: Models,
  runId: string | undefined,
  started: number,
  log: Logger,
): Promise<void> {
  const due = Math.floor((Date.now() - 5 * 60_000) / HOUR) * HOUR;
  for (let i = 0; i < 600; i++) {
    try {
      const run = runId ? await models.shadow.get(runId) : undefined;
      const runFinished = !run || !['queued', 'running'].includes(run.status);
      // Performance is the last detector a window runs before its alert rules are evaluated.
      const detected = ((await lastWindowEnd(store, DEMO_MODEL, 'performance')) ?? 0) >= due;
      if (runFinished && detected) {
        const ms = Date.now() - started;
        log.info({ seconds: ms / 1000, shadow_run: run?.status ?? null }, 'demo story ready');
        return;
      }
    } catch (err) {
      log.warn({ err }, 'demo readiness check failed');
    }
    await new Promise((r) => setTimeout(r, 1000).unref());
  }
}
