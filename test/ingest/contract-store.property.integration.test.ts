import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, type Store } from '@osprey/db';
import { createStore } from '@osprey/db/store';
import { migrate } from '@osprey/db/migrate';
import {
  LIMITS,
  parseEvents,
  predictionKind,
  prepareBatch,
  StoreSink,
  type PredictionEventInput,
} from '@osprey/ingest';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// "Whatever the contract accepts, the store accepts": events the contract takes — text from every
// Unicode plane, lone surrogates, control characters, extreme numbers, empty and 2,000-feature
// maps — go the collector's way (JSON text, parse, validate, the batch writer) into real chDB, and
// every one of them must be stored, with its text as sent (lone surrogates as U+FFFD). The one event
// refused is one in which two names of a map become the same name once repaired ("\ud800" and
// "\ud801" are both "\ufffd"): it is refused with a reason naming the map, never stored with one
// value silently lost.
let store: Store;
beforeAll(async () => {
  store = await createStore(
    storeEnv.parse({ OSPREY_DATA_DIR: mkdtempSync(join(tmpdir(), 'osprey-property-')) }),
  );
  await migrate(store, { retentionDays: 90 });
});
afterAll(async () => {
  await store?.close();
});

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
/** One code point of any plane (astral ones as surrogate pairs), a lone surrogate, or a control. */
const anyChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: control },
  { weight: 1, arbitrary: fc.constantFrom('"', '\\', '\u2028', '\ufeff', '\uffff', '\u0000') },
);
/** Text of at most `max` UTF-16 units (what the contract's lengths count). */
const text = (min: number, max: number) =>
  fc
    .array(anyChar, { minLength: min, maxLength: max })
    .map((chars) => chars.join('').slice(0, max))
    .filter((s) => s.length >= min);
const name = text(1, LIMITS.nameLength).filter((s) => s !== '__proto__');
const extremeNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -0,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    1e-310,
  ),
  fc.integer(),
);
const featureValue = fc.oneof(extremeNumber, text(0, 64), fc.boolean(), fc.constant(null));
const wideFeatures = fc
  .array(featureValue, { minLength: LIMITS.featuresPerEvent, maxLength: LIMITS.featuresPerEvent })
  .map((values) => Object.fromEntries(values.map((v, i) => [`f${i}`, v])));
const features = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(name, featureValue, { maxKeys: 12 }) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: wideFeatures },
);
const now = Date.now();
const timestamp = fc.oneof(
  fc.integer({ min: now - 80 * 86_400_000, max: now + 30 * 60_000 }),
  fc
    .integer({ min: now - 80 * 86_400_000, max: now + 30 * 60_000 })
    .map((ms) => new Date(ms).toISOString()),
);
const modelName = fc
  .stringMatching(/^[A-Za-z0-9_.-]{1,128}$/)
  .filter((s) => !/^\.+$/.test(s) && s.length <= LIMITS.modelNameLength);
const versionName = text(1, LIMITS.modelNameLength).filter(
  // eslint-disable-next-line no-control-regex -- the contract refuses controls in versions
  (s) => !/^\.+$/.test(s) && !/[\u0000-\u001f\u007f]/.test(s),
);
const event: fc.Arbitrary<PredictionEventInput> = fc.record(
  {
    timestamp,
    model: modelName,
    version: versionName,
    features,
    prediction: fc.oneof(
      extremeNumber,
      text(0, LIMITS.stringValueLength),
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { maxLength: 16 }),
    ),
    latency_ms: fc.double({ min: 0, max: 86_400_000, noNaN: true }),
    error: text(1, 64),
    tags: fc.dictionary(name, text(0, LIMITS.tagValueLength), { maxKeys: 5 }),
    request_id: text(1, LIMITS.requestIdLength),
  },
  { requiredKeys: ['model', 'version', 'features', 'prediction'] },
);

const wellFormed = (s: string) => s.toWellFormed();
/** The map of `e` in which two names are the same name once made well-formed, if any. */
const collidingMap = (e: PredictionEventInput) =>
  (['features', 'tags'] as const).find((map) => {
    const names = Object.keys(e[map] ?? {});
    return new Set(names.map(wellFormed)).size < names.length;
  });

describe('the contract and the store', () => {
  it('stores every event the contract accepts, its text as sent, and refuses only names that collide once repaired', async () => {
    const sink = new StoreSink(store, {
      maxBatchRows: 10_000,
      minIntervalMs: 1,
      maxBufferedRows: 100_000,
      insertAttempts: 1,
      retryBaseMs: 1,
    });
    let events = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 20 }), async (generated) => {
        // Fresh ids on every run: a shrunk counterexample is sent again, and must find only itself.
        const batch = generated.map((e) => ({ ...e, event_id: randomUUID() }));
        const body = Buffer.from(JSON.stringify(batch));
        const { items, unparsable } = parseEvents('application/json', body);
        const prepared = prepareBatch(predictionKind, items, unparsable, {
          receivedAt: Date.now(),
          retentionDays: 90,
          maxClockSkewS: 3600,
        });
        const refused = batch.flatMap((e, index) => {
          const map = collidingMap(e);
          return map ? [{ index, error: expect.stringMatching(`^${map}: the names `) }] : [];
        });
        expect(prepared.rejected).toEqual(refused);
        expect(await sink.write(predictionKind, prepared.events)).toEqual([]);
        const kept = batch.filter((e) => !collidingMap(e));
        events += kept.length;
        const ids = batch.map((e) => e.event_id!);
        const stored = await store.query<{
          event_id: string;
          version: string;
          request_id: string;
          error: string;
          tags: Record<string, string>;
          cat_features: Record<string, string>;
          prediction_label: string | null;
        }>(
          `SELECT event_id, version, request_id, error, tags, cat_features, prediction_label
           FROM predictions WHERE event_id IN {ids:Array(UUID)}`,
          { ids },
        );
        expect(stored).toHaveLength(kept.length);
        const byId = new Map(stored.map((r) => [r.event_id, r]));
        for (const e of kept) {
          const row = byId.get(e.event_id!)!;
          expect(row.version).toBe(wellFormed(e.version));
          expect(row.request_id).toBe(wellFormed(e.request_id ?? ''));
          expect(row.error).toBe(wellFormed(e.error ?? ''));
          expect(row.prediction_label).toBe(
            typeof e.prediction === 'string' ? wellFormed(e.prediction) : null,
          );
          const strings = (m: Record<string, unknown>) =>
            Object.fromEntries(
              Object.entries(m)
                .filter(([, v]) => typeof v === 'string')
                .map(([k, v]) => [wellFormed(k), wellFormed(v as string)]),
            );
          expect(row.tags).toEqual(strings(e.tags ?? {}));
          expect(row.cat_features).toEqual(strings(e.features));
        }
      }),
      { numRuns: 60 },
    );
    await sink.close();
    const [count] = await store.query<{ n: string }>('SELECT count() AS n FROM predictions');
    expect(Number(count!.n)).toBe(events);
  }, 240_000);
});
