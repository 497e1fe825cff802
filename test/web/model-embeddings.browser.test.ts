import { Osprey } from '@osprey/sdk';
import { expect, it } from 'vitest';
import { SCREENSHOT_DIR, overflowsSideways } from '../support/browser';
import { liveOsprey } from '../support/live-osprey';

// A search model logs 16-d query vectors with their prompts through the TypeScript SDK: a
// reference of the usual questions, then a range where a quarter of the questions are of a new
// kind. The API's map marks where they went; the page draws it, and a click on a new point lists
// the new questions nearest to it.
const MODEL = 'emb-search';
const D = 16;
const HOUR = 3_600_000;
const H0 = Math.floor(Date.now() / HOUR) * HOUR;
const RANGE = `from=${encodeURIComponent(new Date(H0 - 2 * HOUR).toISOString())}&to=${encodeURIComponent(new Date(H0 + HOUR).toISOString())}`;

/** Deterministic values in [0, 1) that look random, and a standard normal from them. */
const unit = (i: number) => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x);
};
const normal = (i: number) =>
  Math.sqrt(-2 * Math.log(1 - unit(2 * i))) * Math.cos(2 * Math.PI * unit(2 * i + 1));
// Orthogonal directions (rows of a Hadamard matrix): the reference spreads along a and b; the new
// questions sit far along a and off in c.
const a = Array.from({ length: D }, (_, j) => (j % 2 ? 1 : -1) / 4);
const b = Array.from({ length: D }, (_, j) => (j < D / 2 ? 1 : -1) / 4);
const c = Array.from({ length: D }, (_, j) => (Math.floor(j / 2) % 2 ? 1 : -1) / 4);
const vector = (i: number, fresh: boolean) => {
  const s = 4 * normal(3 * i) + (fresh ? 24 : 0);
  const t = 2 * normal(3 * i + 1);
  return a.map(
    (x, j) => s * x + t * b[j]! + (fresh ? 16 * c[j]! : 0) + 0.2 * normal(1e5 + i * D + j),
  );
};

interface MapDoc {
  window_rows: number;
  over_share: number;
  cells: { region: string | null }[];
  points: { window: { event_id: string }[] };
}

const fresh = new Set<string>();
const live = liveOsprey({
  timeout: 180_000,
  setup: async () => {
    const client = new Osprey({ url: live.osprey.url, apiKey: live.osprey.apiKey });
    await client.logReference(
      MODEL,
      'v1',
      Array.from({ length: 1_500 }, (_, i) => ({
        features: { n: i % 7 },
        embeddings: { query: vector(i, false) },
        text: { prompt: `the usual question #${i}` },
      })),
      { referenceId: 'train' },
    );
    for (let i = 0; i < 800; i++) {
      const isNew = i % 4 === 0;
      const id = client.log({
        model: MODEL,
        version: 'v1',
        timestamp: H0 - 2 * HOUR + i * 9_000,
        features: { n: i % 7 },
        embeddings: { query: vector(10_000 + i, isNew) },
        text: { prompt: isNew ? `a new kind of question #${i}` : `the usual question #${i}` },
        prediction: isNew ? 1 : 0,
      });
      if (isNew) fresh.add(id);
    }
    await client.close(30_000);
  },
});

it('answers the map over a range with the new questions region marked, and refuses a bad event id', async () => {
  const headers = { authorization: `Bearer ${live.osprey.apiKey}` };
  const res = await fetch(
    `${live.osprey.url}/api/v1/models/${MODEL}/embeddings/query/map?${RANGE}`,
    { headers },
  );
  expect(res.status).toBe(200);
  const map = (await res.json()) as MapDoc;
  expect(map.window_rows).toBe(800);
  // A quarter of the range is new: most of it (and little else) lies in the marked cells.
  expect(map.over_share).toBeGreaterThan(0.15);
  expect(map.over_share).toBeLessThan(0.3);
  expect(map.cells.some((c) => c.region === 'over')).toBe(true);
  const bad = await fetch(
    `${live.osprey.url}/api/v1/models/${MODEL}/embeddings/query/neighbors?${RANGE}&event_id=nope`,
    { headers },
  );
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ error: 'event_id: must be a UUID' });
}, 60_000);

it('draws the map from the model page, and lists the new questions nearest a new point', async () => {
  // Every detector over the range's windows, embedding drift among them.
  const detect = await fetch(`${live.osprey.url}/api/v1/models/${MODEL}/detect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${live.osprey.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      from: new Date(H0 - 2 * HOUR).toISOString(),
      to: new Date(H0).toISOString(),
    }),
  });
  expect(detect.status).toBe(200);
  const page = await live.page(1440);
  await page.goto(`${live.osprey.url}/models/${MODEL}?${RANGE}`);
  // The model page charts the drift of each embedding per window: every window here drifted.
  const count = page.getByTestId('embedding-drift-count');
  expect(await count.getAttribute('data-name')).toBe('query');
  expect(await count.textContent()).toMatch(/query: 2 of 2 windows drifted/);
  await page
    .getByTestId('embeddings')
    .screenshot({ path: `${SCREENSHOT_DIR}/model-embedding-drift.png` });
  await page.getByRole('link', { name: 'embeddings' }).click();
  await page.waitForURL(/\/models\/emb-search\/embeddings\?/);
  const map = page.getByTestId('embedding-map');
  expect(Number(await map.getAttribute('data-over'))).toBeGreaterThan(0);
  // A seeded sample of 1,000 reference points is drawn, and every one of the range's 800.
  await expect.poll(() => map.locator('.recharts-scatter-symbol').count()).toBe(1_000 + 800);
  expect(await page.getByTestId('embedding-map-summary').textContent()).toMatch(
    /800 vectors .* against 1,500 reference vectors \(16 dimensions\)/,
  );
  // A new question's point: the window series' symbols carry no id, so find one by its place —
  // the rightmost window point is one of the new kind (they lie far along the first axis).
  const symbols = map.locator('.recharts-scatter').nth(1).locator('.recharts-scatter-symbol');
  const boxes = await symbols.evaluateAll((els) =>
    els.map((el) => el.getBoundingClientRect().right),
  );
  const rightmost = boxes.indexOf(Math.max(...boxes));
  await symbols.nth(rightmost).click({ force: true });
  const selected = page.getByTestId('selected-example');
  await expect.poll(() => selected.count()).toBe(1);
  expect(fresh.has((await selected.getAttribute('data-event-id'))!)).toBe(true);
  expect(await selected.textContent()).toMatch(/a new kind of question/);
  const neighbours = page.getByTestId('neighbour-example');
  expect(await neighbours.count()).toBe(8);
  for (const text of await neighbours.allTextContents())
    expect(text).toMatch(/a new kind of question/);
  expect(await overflowsSideways(page)).toBe(false);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/model-embeddings.png`, fullPage: true });
  await page.close();
}, 90_000);
