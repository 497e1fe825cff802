import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SCREENSHOT_DIR,
  launchBrowser,
  overflowsSideways,
  adminEnv,
  signedInPage,
} from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api, postAll } from '../support/upload';

// The model page's windows in a real browser against a real `osprey start`: a new model says when
// its first window closes and an editor sets the window length there; a model detected before
// its reference was uploaded says per window what it was compared with, and "Recompute" redoes
// the windows with progress until they compare with the dataset.
const HOUR = 3_600_000;
const MINUTE = 60_000;
const CURRENT_HOUR = Math.floor(Date.now() / HOUR) * HOUR;
const T0 = CURRENT_HOUR - 4 * HOUR;
const clock = (t: number) => new Date(t).toISOString().slice(11, 16);
// Server renders after a click share two cores with other tests: allow them time.
const SLOW = { timeout: 20_000 };

let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    startOsprey({
      env: adminEnv({
        // Detection only when the test asks: what a window was compared with is then known.
        OSPREY_DETECTORS: 'off',
      }),
    }),
    launchBrowser(),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

const signedIn = (width: number) => signedInPage(browser, osprey.url, width);

const prediction = (model: string, t: number, i: number) => ({
  event_id: randomUUID(),
  model,
  version: 'v1',
  timestamp: t,
  features: { x: i % 40, colour: ['red', 'green', 'blue'][i % 3] },
  prediction: i % 7,
  latency_ms: 5,
});

describe('the model page’s windows', () => {
  it('tells a new model when its first window closes, and lets an editor set the window length', async () => {
    const first = Date.now();
    await postAll(osprey.url, osprey.apiKey, '/v1/predictions', [
      prediction('newcomer', first, 1),
      prediction('newcomer', first + 1, 2),
    ]);
    const closesAt = (minutes: number) =>
      Math.floor(first / (minutes * MINUTE)) * minutes * MINUTE + minutes * MINUTE + 5 * MINUTE;

    for (const width of [1280, 1440]) {
      const page = await signedIn(width);
      await page.goto(`${osprey.url}/models/newcomer`);
      const notice = page.getByTestId('first-window');
      await expect
        .poll(() => notice.innerText(), SLOW)
        .toContain(`First window closes at ${clock(closesAt(60))} UTC`);
      expect(await page.getByTestId('drift').innerText()).toContain(
        `Drift appears when the first window closes at ${clock(closesAt(60))} UTC`,
      );
      expect(await page.getByTestId('window-length-select').inputValue()).toBe('60');
      // Nothing is stored yet, so there is nothing to recompute.
      expect(await page.getByTestId('recompute').count()).toBe(0);
      expect(await overflowsSideways(page)).toBe(false);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/model-first-window-${width}.png` });
      await page.close();
    }

    const page = await signedIn(1280);
    await page.goto(`${osprey.url}/models/newcomer`);
    await page.getByTestId('window-length-select').selectOption('15');
    await page.getByTestId('window-length-save').click();
    // Saved first: in an hour's last quarter the 15- and 60-minute windows close together, so the
    // notice alone cannot tell that the save has landed.
    const settings = () =>
      api<{ window_minutes: number; grace_minutes: number }>(
        osprey.url,
        osprey.apiKey,
        'GET',
        '/api/v1/models/newcomer/settings',
      ).then((r) => r.body);
    await expect.poll(settings, SLOW).toMatchObject({ window_minutes: 15, grace_minutes: 5 });
    await expect
      .poll(() => page.getByTestId('first-window').innerText(), SLOW)
      .toContain(`First window closes at ${clock(closesAt(15))} UTC`);
    await page.close();
  }, 120_000);

  it('shows per window what it was compared with, and recomputes with progress after a reference upload', async () => {
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      Array.from({ length: 3 * 200 }, (_, i) =>
        prediction('late-ref', T0 + Math.floor(i / 200) * HOUR + (i % 200) * 15_000, i),
      ),
    );
    const detected = await api<{ windows: unknown[] }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/models/late-ref/detect',
      { from: new Date(T0).toISOString(), to: new Date(T0 + 3 * HOUR).toISOString() },
    );
    expect(detected.status).toBe(200);
    expect(detected.body.windows).toHaveLength(3);
    // The reference comes after the windows were detected.
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/reference',
      Array.from({ length: 1_500 }, (_, i) => ({
        model: 'late-ref',
        version: 'v1',
        reference_id: 'validation',
        features: { x: i % 40, colour: ['red', 'green', 'blue'][i % 3] },
        prediction: i % 7,
      })),
    );

    const second = { from: T0 + HOUR, to: T0 + 2 * HOUR };
    const page = await signedIn(1440);
    const url = `${osprey.url}/models/late-ref?range=24h&feature=x&window=${new Date(second.to).toISOString()}`;
    await page.goto(url);
    const reference = page.getByTestId('window-reference');
    await expect
      .poll(() => reference.innerText(), SLOW)
      .toContain(`${clock(second.from)}–${clock(second.to)} compared with previous window`);
    expect(await reference.innerText()).toContain('(200 rows)');
    expect(await reference.getAttribute('data-outdated')).toBe('true');
    expect(await page.getByTestId('first-window').count()).toBe(0);
    // Each heatmap column says what its window was compared with.
    const columns = page.getByTestId('heatmap-window');
    expect(
      await columns.evaluateAll((els) => els.map((e) => e.getAttribute('data-reference'))),
    ).toEqual(['previous window', 'previous window', 'previous window']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/model-reference-outdated-1440.png` });

    // Every status the progress element shows, from the click on.
    await page.evaluate(`(() => {
      const seen = (window.statuses = []);
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="recompute-progress"]');
        const text = el ? el.getAttribute('data-status') + ': ' + el.textContent : undefined;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    // The server counts the closed windows when the job starts: the count is the one before or
    // after the click, whichever side of a window's close (end + 5 min grace) the click fell.
    const closedWindows = () => (Math.floor((Date.now() - 5 * MINUTE) / HOUR) * HOUR - T0) / HOUR;
    const before = closedWindows();
    await page.getByTestId('recompute-since').fill(new Date(T0).toISOString().slice(0, 16));
    await page.getByTestId('recompute-start').click();
    const progress = page.getByTestId('recompute-progress');
    await expect.poll(() => progress.getAttribute('data-status'), SLOW).toBe('done');
    const after = closedWindows();
    const done = /Recomputed (\d+) windows/.exec(await progress.innerText());
    const windows = Number(done?.[1]);
    expect(windows === before || windows === after, `${windows} of ${before}…${after}`).toBe(true);
    const statuses = await page.evaluate<string[]>('window.statuses');
    expect(statuses[0]).toMatch(new RegExp(`^running: .*Recomputing 0 of ${windows} windows`));
    expect(statuses.at(-1)).toMatch(/^done: /);

    // The page re-renders: the window now compares with the dataset, and says so.
    await expect
      .poll(() => reference.innerText(), SLOW)
      .toContain('compared with dataset validation (1,500 rows)');
    expect(await reference.getAttribute('data-outdated')).toBe('false');
    const references = await columns.evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-reference')),
    );
    expect(references.slice(0, 3)).toEqual(Array(3).fill('dataset validation'));
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/model-recomputed-1440.png` });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/model-recomputed-1280.png` });
    await page.close();
  }, 180_000);
});
