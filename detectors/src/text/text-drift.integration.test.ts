import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeEnv, Tables, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDrift } from '../drift/detect-drift';
import { mulberry32 } from '../random';
import { modelSettings } from '../settings/model-settings';
import { descriptorKey, TEXT_DESCRIPTORS } from './descriptors';

// Text fields drift like features through their descriptors, in the drift detector's own report,
// on real chDB: a reference of short questions over a small vocabulary, a window drawn like it,
// and a window whose prompts are long and full of words the reference never used.
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const quiet = { from: T0 + HOUR, to: T0 + 2 * HOUR };
const changed = { from: T0 + 2 * HOUR, to: T0 + 3 * HOUR };
const settings = modelSettings.parse({});
const dir = mkdtempSync(join(tmpdir(), 'osprey-text-drift-'));
let store: Store;

const random = mulberry32(7);
const VOCABULARY = [
  'how',
  'do',
  'i',
  'reset',
  'my',
  'password',
  'change',
  'email',
  'login',
  'account',
];
const NEW_WORDS = ['quantum', 'mortgage', 'refinance', 'amortization', 'escrow', 'lien'];
const pick = (words: string[], n: number) =>
  Array.from({ length: n }, () => words[Math.floor(random() * words.length)]!).join(' ');
const usual = () => `${pick(VOCABULARY, 3 + Math.floor(random() * 4))}?`;
const unusual = () =>
  `${pick([...VOCABULARY, ...NEW_WORDS], 12 + Math.floor(random() * 8))} ${pick(NEW_WORDS, 3)}!!`;

async function logWindow(window: { from: number; to: number }, text: () => string) {
  const rows = Array.from({ length: 2_000 }, (_, i) => ({
    event_id: randomUUID(),
    timestamp: window.from + i * 1_500,
    model: 'support-bot',
    version: 'v1',
  }));
  await store.insert(
    Tables.predictions,
    rows.map((r) => ({ ...r, num_features: { x: random() } })),
  );
  await store.insert(
    Tables.predictionTexts,
    rows.map((r) => ({ ...r, name: 'prompt', text: text() })),
  );
}

beforeAll(async () => {
  store = await createStore(storeEnv.parse({ OSPREY_DATA_DIR: join(dir, 'data') }));
  await migrate(store, { retentionDays: 30 });
  const reference = Array.from({ length: 4_000 }, (_, i) => ({
    model: 'support-bot',
    version: 'v1',
    reference_id: 'faq',
    timestamp: T0 + i,
  }));
  await store.insert(
    Tables.referenceRows,
    reference.map((r) => ({ ...r, num_features: { x: random() } })),
  );
  await store.insert(
    Tables.referenceTexts,
    reference.map((r) => ({ ...r, name: 'prompt', text: usual() })),
  );
  await logWindow(quiet, usual);
  await logWindow(changed, unusual);
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const textFeatures = (features: { feature: string }[]) =>
  features
    .filter((f) => f.feature.startsWith('text:'))
    .map((f) => f.feature)
    .sort();

describe('text drift through the drift detector', () => {
  it('reports every descriptor of every text field beside the features, and a quiet window as no drift', async () => {
    const report = await detectDrift(store, settings, { model: 'support-bot', window: quiet });
    expect(textFeatures(report.features)).toEqual(
      TEXT_DESCRIPTORS.map((d) => descriptorKey('prompt', d)).sort(),
    );
    const text = report.features.filter((f) => f.feature.startsWith('text:'));
    for (const f of text) {
      expect(f.current_size, f.feature).toBe(2_000);
      expect(f.reference_size, f.feature).toBe(4_000);
    }
    // Every word of these prompts is in the vocabulary: no descriptor moves.
    expect(text.filter((f) => f.drift)).toEqual([]);
    expect(report.features.find((f) => f.feature === 'x')).toBeDefined();
  });

  it('flags length, words and out-of-vocabulary share when the prompts change, and counts them in the drift share', async () => {
    const report = await detectDrift(store, settings, { model: 'support-bot', window: changed });
    const drifted = report.features.filter((f) => f.drift).map((f) => f.feature);
    for (const d of ['chars', 'words', 'oov_share', 'non_letter_share'] as const) {
      expect(drifted).toContain(descriptorKey('prompt', d));
    }
    expect(drifted).not.toContain('x');
    expect(report.drifted_features).toBe(drifted.length);
    expect(report.drift_share).toBeCloseTo(drifted.length / report.features.length, 12);
  });

  it('leaves text out of a segment window (texts carry no tags) and of a model without texts', async () => {
    const segment = await detectDrift(store, settings, {
      model: 'support-bot',
      window: changed,
      segment: { key: 'region', value: 'eu' },
    });
    expect(textFeatures(segment.features)).toEqual([]);
    const empty = { from: T0 + 4 * HOUR, to: T0 + 5 * HOUR };
    const none = await detectDrift(store, settings, { model: 'support-bot', window: empty });
    expect(textFeatures(none.features)).toEqual([]);
  });
});
