import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser, overflowsSideways } from '../support/browser';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';

// Issue #14's newcomer path, end to end on a fresh data directory: the setup screen, a key made in
// Settings, the Python SDK logging a model of the newcomer's own (a reference first, six hours of
// predictions tagged by region, labels for half, the last two hours drifting), the scheduler
// detecting its windows; then the model page shows drift, performance and a segment, each panel
// consistent with the API, at 1280 and 1440 px without horizontal overflow.
const run = promisify(execFile);
const MODEL = 'churn';
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** The hour the newcomer's script logs up to: its own clock's hour, read in the same minute. */
let H0: number;
const PASSWORD = 'correct-horse-battery';

let osprey: OspreyProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    // No admin from the environment: a fresh install leads to the setup screen.
    startOsprey({ env: { OSPREY_DETECTOR_INTERVAL_SECONDS: '2' } }),
    launchBrowser(),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

/** The API as the signed-in user (the browser's session cookie and Origin). */
function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    { method, path, body },
  ) as Promise<T>;
}

it('walks a newcomer from the setup screen to a model page that is right', async () => {
  // 1. The setup screen creates the first admin.
  await page.goto(`${osprey.url}/`);
  await page.waitForURL(`${osprey.url}/setup`);
  await page.fill('input[name=name]', 'Nia');
  await page.fill('input[name=email]', 'nia@example.com');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${osprey.url}/`);

  // 2. A key for the service, made in Settings; its secret is shown once.
  await page.goto(`${osprey.url}/settings`);
  const form = page.locator('[data-testid=api-key-form]');
  await form.locator('input[name=name]').fill('churn-service');
  await form.locator('input[name=scopes][value=read]').check();
  await form.locator('button[type=submit]').click();
  const key = await page.locator('[data-testid=secret-value]').innerText();
  expect(key).toMatch(/^osp_/);

  // 3. Region is a segment of the model (settings through the API, as docs/detectors.md shows).
  const settings = await api<Record<string, unknown>>('GET', `/api/v1/models/${MODEL}/settings`);
  await api('PUT', `/api/v1/models/${MODEL}/settings`, { ...settings, segments: ['region'] });

  // 4. The newcomer's service logs through the Python SDK (keyword form). Its six hours end at
  // the hour it runs in, so it does not start in an hour's last minutes (the test's H0 and the
  // script's could differ).
  const intoHour = Date.now() % HOUR;
  if (intoHour > HOUR - 3 * MINUTE) await sleep(HOUR - intoHour + 1_000);
  H0 = Math.floor(Date.now() / HOUR) * HOUR;
  const { stdout } = await run(
    join(REPO_ROOT, '.venv', 'bin', 'python'),
    [join(REPO_ROOT, 'test', 'fixtures', 'newcomer_model.py'), osprey.url, key, MODEL],
    { timeout: 120_000 },
  );
  const sent = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    reference: number;
    predictions: number;
    labels: number;
    delivered: boolean;
  };
  expect(sent).toMatchObject({ reference: 1500, predictions: 1440, delivered: true });

  // 5. The scheduler detects the six closed windows (the current hour has no predictions); the
  // last closes 5 minutes (the grace) after H0, which may still be ahead.
  const lastCloses = H0 + 5 * MINUTE + 5_000;
  await page.goto(`${osprey.url}/models/${MODEL}`);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId('drift-heatmap').getAttribute('data-windows', { timeout: 1_000 });
      },
      { timeout: 180_000 + Math.max(0, lastCloses - Date.now()), interval: 2_000 },
    )
    .toBe('6');

  const range = `from=${new Date(H0 - 6 * HOUR).toISOString()}&to=${new Date(H0).toISOString()}`;
  for (const width of [1280, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${osprey.url}/models/${MODEL}?${range}`);

    // Drift: the last two windows drift on tenure_months, against the uploaded reference.
    const tenure = page.locator(
      '[data-testid="heatmap-row"][data-feature="tenure_months"] [data-status]',
    );
    await expect.poll(() => tenure.count()).toBe(6);
    const statuses = await tenure.evaluateAll((cells) =>
      cells.map((c) => c.getAttribute('data-status')),
    );
    expect(statuses.slice(4)).toEqual(['drift', 'drift']);
    const last = `from=${new Date(H0 - HOUR).toISOString()}&to=${new Date(H0).toISOString()}`;
    const drift = await api<{
      reference: { source: string; size: number };
      features: { feature: string; drift: boolean | null }[];
    }>('GET', `/api/v1/models/${MODEL}/drift?${last}`);
    expect(drift.reference).toMatchObject({ source: 'dataset', size: 1500 });
    expect(drift.features.find((f) => f.feature === 'tenure_months')?.drift).toBe(true);
    expect(await page.getByTestId('drift').innerText()).toContain('1,500 rows');

    // Performance: as many labelled predictions as the API counts over the six windows.
    const performance = await Promise.all(
      [6, 5, 4, 3, 2, 1].map((k) =>
        api<{ labelled: number }>(
          'GET',
          `/api/v1/models/${MODEL}/performance?from=${new Date(H0 - k * HOUR).toISOString()}&to=${new Date(H0 - (k - 1) * HOUR).toISOString()}`,
        ),
      ),
    );
    const labelled = performance.reduce((n, p) => n + p.labelled, 0);
    expect(labelled).toBe(sent.labels);
    expect(await page.getByTestId('performance').innerText()).toContain(
      `${labelled.toLocaleString('en-US')} labelled predictions in 6 windows`,
    );
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/newcomer-${width}.png`, fullPage: true });

    // A segment: region = eu-west from the filter; the cards count what the API counts.
    await page.getByTestId('segment-filter').locator('select').selectOption({
      label: 'region = eu-west',
    });
    await page.waitForURL((url) => url.searchParams.get('value') === 'eu-west');
    const stats = await api<{ count: number }>(
      'GET',
      `/api/v1/models/${MODEL}/stats?${range}&tag=region&value=eu-west`,
    );
    expect(stats.count).toBeGreaterThan(0);
    expect(stats.count).toBeLessThan(sent.predictions);
    const events = page.getByTestId('kpi-events');
    await expect.poll(() => events.innerText()).toContain('in region = eu-west');
    expect(await events.innerText()).toContain(`${stats.count.toLocaleString('en-US')} in`);
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({
      path: `${SCREENSHOT_DIR}/newcomer-segment-${width}.png`,
      fullPage: true,
    });
  }
}, 800_000);
