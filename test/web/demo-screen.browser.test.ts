import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser } from '../support/browser';
import { overflows } from '../support/page-fit';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// What a newcomer sees after `osprey start --demo`: the Overview while the scheduler backfills the
// seeded day, then every dashboard page with the demo's full tables at the two common laptop
// widths, the model page's background requests, the favicon and the models list.
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
const MODEL = 'house-prices';
const WIDTHS = [1280, 1440];

let demo: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [demo, browser] = await Promise.all([
    startOsprey({
      args: ['start', '--demo'],
      env: {
        OSPREY_ADMIN_EMAIL: ADMIN.email,
        OSPREY_ADMIN_PASSWORD: ADMIN.password,
        OSPREY_DEMO_RATE: '5',
        OSPREY_DETECTOR_INTERVAL_SECONDS: '2',
      },
    }),
    launchBrowser(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function signedInPage(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${demo.url}/login`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${demo.url}/`);
  return page;
}

it('says the windows are backfilling, never "all quiet", until the backfill is done', async () => {
  const page = await signedInPage(1280);
  const notice = page.getByTestId('backfill-notice');
  const seen: string[] = [];
  // The demo seeds a day of history, then the scheduler's first pass detects its 24-odd windows.
  await expect
    .poll(
      async () => {
        await page.goto(demo.url);
        if ((await notice.count()) === 0) return 'done';
        const text = await notice.innerText();
        seen.push(text);
        // While detection is incomplete, no tile may claim that nothing drifts or fires.
        const body = await page.locator('main').innerText();
        expect(body).not.toContain('all quiet');
        expect(body).not.toContain('no model drifts');
        if (/Backfilling \d+ of \d+ windows/.test(text) && seen.length === 1) {
          await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-backfilling.png` });
        }
        return text;
      },
      { timeout: 180_000, interval: 500 },
    )
    .toBe('done');
  const counts = seen.flatMap((t) => {
    const m = /Backfilling (\d+) of (\d+) windows/.exec(t);
    return m ? [{ done: Number(m[1]), total: Number(m[2]) }] : [];
  });
  expect(counts.length).toBeGreaterThan(0);
  expect(counts[0]!.total).toBeGreaterThanOrEqual(20);
  expect(counts.every((c) => c.done <= c.total)).toBe(true);
  // Once done, the tiles speak again.
  await expect.poll(() => page.getByTestId('stat-drifting').innerText()).not.toContain('…');
  await page.close();
}, 240_000);

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
    const page = await signedInPage(width);
    for (const path of pages) {
      await page.goto(`${demo.url}${path}`);
      await page.waitForLoadState('networkidle');
      for (const p of await overflows(page)) found.push(`${width} px ${path}: ${p}`);
      const name = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'overview';
      await page.screenshot({ path: `${SCREENSHOT_DIR}/fit-${width}-${name}.png`, fullPage: true });
    }
    await page.close();
  }
  expect(found).toEqual([]);
}, 240_000);

it('prefetches on intent only: a model page view makes a handful of background requests', async () => {
  const page = await signedInPage(1440);
  const prefetches: string[] = [];
  const onRequest = (r: Request) => {
    const h = r.headers();
    if (h['next-router-prefetch'] || (h.rsc && r.url() !== page.url())) prefetches.push(r.url());
  };
  page.on('request', onRequest);
  await page.goto(`${demo.url}/models/${MODEL}`);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(2_000);
  page.off('request', onRequest);
  // The sidebar's few links at most; not one per heatmap cell.
  expect(prefetches.length).toBeLessThanOrEqual(8);
  await page.close();
});

it('ships a favicon', async () => {
  const res = await fetch(`${demo.url}/favicon.ico`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^image\//);
  expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
});

it('lists the models on /models instead of sending the visitor to the Overview', async () => {
  const page = await signedInPage(1280);
  await page.goto(`${demo.url}/models`);
  expect(new URL(page.url()).pathname).toBe('/models');
  expect(await page.locator('h1').first().innerText()).toBe('Models');
  const row = page.locator(`[data-testid="models-list-row"][data-model="${MODEL}"]`);
  expect(await row.getByTestId('production-version').innerText()).toBe('v1');
  await row.getByRole('link', { name: MODEL }).click();
  await page.waitForURL(`${demo.url}/models/${MODEL}`);
  await page.close();
});
