import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser, adminEnv, signedInPage } from '../support/browser';
import { overflows } from '../support/page-fit';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// What a newcomer sees after `osprey start --demo`: the Overview while the scheduler backfills the
// seeded day, then every dashboard page with the demo's full tables at the two common laptop
// widths, the model page's background requests, the favicon and the models list.
const MODEL = 'house-prices';
const WIDTHS = [1280, 1440];

let demo: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([
    startOsprey({
      args: ['start', '--demo'],
      env: adminEnv({
        // The demo's backfill is what the Overview's notice shows: the scheduler runs.
        OSPREY_DETECTORS: 'on',
        OSPREY_DEMO_RATE: '5',
        OSPREY_DETECTOR_INTERVAL_SECONDS: '2',
      }),
    }),
    launchBrowser(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const pageAt = (width: number) => signedInPage(browser, demo.url, width);

it('says the windows are backfilling, never "all quiet", until the backfill is done', async () => {
  const page = await pageAt(1280);
  const notice = page.getByTestId('backfill-notice');
  // The demo seeds a day of history, then the scheduler's first pass detects its 24-odd windows.
  // The notice follows the progress by itself; the page is loaded once.
  await notice.waitFor();
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const main = await page.locator('main').innerText();
        if ((await notice.count()) === 0) return 'done';
        // While detection is incomplete, no tile may claim that nothing drifts or fires.
        expect(main).not.toContain('all quiet');
        expect(main).not.toContain('no model drifts');
        const text = await notice.innerText().catch(() => '');
        if (
          /Backfilling \d+ of \d+ windows/.test(text) &&
          !seen.some((t) => t.startsWith('Backfilling'))
        ) {
          await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-backfilling.png` });
        }
        seen.push(text);
        return text;
      },
      { timeout: 420_000, interval: 1_000 },
    )
    .toBe('done');
  const counts = seen.flatMap((t) => {
    const m = /Backfilling (\d+) of (\d+) windows/.exec(t);
    return m ? [{ done: Number(m[1]), total: Number(m[2]) }] : [];
  });
  expect(counts.length).toBeGreaterThan(0);
  expect(counts[0]!.total).toBeGreaterThanOrEqual(20);
  // It counts up, never past the total.
  expect(
    counts.every((c, i) => c.done <= c.total && (i === 0 || c.done >= counts[i - 1]!.done)),
  ).toBe(true);
  // Once done, the page re-renders by itself and the tiles speak again.
  await expect
    .poll(() => page.getByTestId('stat-drifting').innerText(), { timeout: 30_000 })
    .not.toContain('backfilling');
  await page.context().close();
}, 480_000);

it('fits every dashboard page into 1280 and 1440 px windows, full demo tables included', async () => {
  const runs = (await (
    await fetch(`${demo.url}/api/v1/models/${MODEL}/shadow-runs`, {
      headers: { authorization: `Bearer ${demo.apiKey}` },
    })
  ).json()) as { runs?: { id: string }[] } | { id: string }[];
  const list = Array.isArray(runs) ? runs : (runs.runs ?? []);
  const pages = [
    '/',
    '/models',
    `/models/${MODEL}`,
    '/alerts',
    '/alerts?tab=rules',
    '/alerts?tab=silences',
    '/alerts?tab=notifications',
    '/shadow',
    ...(list[0] ? [`/shadow/${MODEL}/${list[0].id}`] : []),
    '/versions',
    '/settings',
  ];
  const found: string[] = [];
  for (const width of WIDTHS) {
    const page = await pageAt(width);
    for (const path of pages) {
      await page.goto(`${demo.url}${path}`);
      await page.waitForLoadState('networkidle');
      for (const p of await overflows(page)) found.push(`${width} px ${path}: ${p}`);
      const name = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'overview';
      await page.screenshot({ path: `${SCREENSHOT_DIR}/fit-${width}-${name}.png`, fullPage: true });
    }
    await page.context().close();
  }
  expect(found).toEqual([]);
}, 240_000);

it('prefetches on intent only: a model page view makes no background page requests', async () => {
  const signedIn = await pageAt(1440);
  // A fresh tab with the session: nothing left over from the sign-in's Overview.
  const page = await signedIn.context().newPage();
  await signedIn.close();
  const prefetches: string[] = [];
  const onRequest = (r: Request) => {
    const h = r.headers();
    if (h['next-router-prefetch'] || (h.rsc && r.url() !== page.url())) prefetches.push(r.url());
  };
  page.on('request', onRequest);
  await page.goto(`${demo.url}/models/${MODEL}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(2_000);
  // Not one per heatmap cell (~243 before), nor the sidebar's links on every page.
  expect(prefetches, prefetches.join('\n')).toEqual([]);
  // Hovering a heatmap cell is intent: that one is prefetched.
  await page.locator('[data-testid="heatmap-row"] a[data-status]').first().hover();
  await expect.poll(() => prefetches.length).toBeGreaterThan(0);
  page.off('request', onRequest);
  expect(
    prefetches.some((u) => new URL(u).searchParams.has('feature')),
    prefetches.join('\n'),
  ).toBe(true);
  await page.context().close();
});

it('ships a favicon', async () => {
  const res = await fetch(`${demo.url}/favicon.ico`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^image\//);
  expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
});

it('lists the models on /models instead of sending the visitor to the Overview', async () => {
  const page = await pageAt(1280);
  await page.goto(`${demo.url}/models`);
  expect(new URL(page.url()).pathname).toBe('/models');
  expect(await page.locator('h1').first().innerText()).toBe('Models');
  const row = page.locator(`[data-testid="models-list-row"][data-model="${MODEL}"]`);
  expect(await row.getByTestId('production-version').innerText()).toBe('v1');
  await row.getByRole('link', { name: MODEL }).click();
  await page.waitForURL(`${demo.url}/models/${MODEL}`);
  await page.context().close();
});
