import { randomUUID } from 'node:crypto';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, SCREENSHOT_DIR, adminEnv, launchBrowser } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { postAll } from '../support/upload';

// Issue #13 row 12: the dashboard's pages carry a Content-Security-Policy (with a nonce and
// frame-ancestors 'none'), X-Frame-Options, X-Content-Type-Options and Referrer-Policy, and still
// work under it in a real browser: sign-in, pages with charts, client-side navigation, all without
// one CSP violation.
let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    startOsprey({
      env: adminEnv(),
    }),
    launchBrowser(),
  ]);
  // A model with an hour of traffic, so the Overview and the model page draw their charts.
  const now = Date.now();
  await postAll(
    osprey.url,
    osprey.apiKey,
    '/v1/predictions',
    Array.from({ length: 200 }, (_, i) => ({
      event_id: randomUUID(),
      model: 'pricing',
      version: 'v1',
      timestamp: now - 3_600_000 + i * 18_000,
      features: { sqm: 40 + (i % 60), city: i % 2 ? 'paris' : 'lyon' },
      prediction: 1_000 * (40 + (i % 60)),
      latency_ms: 10 + (i % 30),
    })),
  );
});
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

/** CSP violations as the page's own `securitypolicyviolation` events and the console report them. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) console.push(m.text());
  });
  page.on('pageerror', (e) => console.push(`page error: ${e.message}`));
  // Init scripts run outside the page's CSP, before any of its own scripts.
  await page.addInitScript(() => {
    const page = globalThis as unknown as BrowserGlobals;
    page.__violations = [];
    page.document.addEventListener('securitypolicyviolation', (e) =>
      page.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return async () => [
    ...console,
    ...(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__violations)),
  ];
}

/** What the page scripts here use of the browser (the test project has no DOM types). */
interface BrowserGlobals {
  __violations: string[];
  document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (e: { violatedDirective: string; blockedURI: string }) => void,
    ): void;
    createElement(tag: 'img'): { src: string };
    body: { append(node: unknown): void };
  };
}

function expectSecurityHeaders(response: Response | null): string {
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  const csp = headers['content-security-policy']!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'/);
  expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  return csp;
}

it('serves pages with CSP, X-Frame-Options, nosniff and Referrer-Policy, and they work under it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const violations = await watchViolations(page);

  const loginCsp = expectSecurityHeaders(await page.goto(`${osprey.url}/login`));
  // A fresh nonce per page load.
  const again = expectSecurityHeaders(await page.reload());
  expect(again).not.toBe(loginCsp);

  // Signing in runs the page's scripts (the form posts with fetch, then navigates).
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${osprey.url}/`);
  await expect.poll(() => page.locator('h1').first().innerText()).toBe('Overview');
  await expect.poll(() => page.getByText('pricing').count()).toBeGreaterThan(0);

  // A page load with charts, then client-side navigation through the sidebar.
  expectSecurityHeaders(await page.goto(`${osprey.url}/models/pricing`));
  await expect.poll(() => page.locator('.recharts-surface').count()).toBeGreaterThan(0);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/csp-model-page.png` });
  await page.click('a[href="/settings"]');
  await page.waitForURL(`${osprey.url}/settings`);
  await expect.poll(() => page.locator('h1').first().innerText()).toBe('Settings');

  expect(await violations()).toEqual([]);

  // The watch sees what the policy refuses: an image from another origin is not even fetched.
  // (Scripts the test itself injects would run: DevTools evaluation is exempt from CSP.)
  await page.evaluate(() => {
    const { document } = globalThis as unknown as BrowserGlobals;
    const img = document.createElement('img');
    img.src = 'http://127.0.0.2:9/tracker.png';
    document.body.append(img);
  });
  await expect
    .poll(violations)
    .toContainEqual(expect.stringMatching(/^img-src http:\/\/127\.0\.0\.2:9\/tracker\.png$/));
  await context.close();
});

it('puts the static headers on API answers too', async () => {
  const res = await fetch(`${osprey.url}/api/v1/auth/me`);
  expect(res.status).toBe(401);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
});

it('cannot be framed by another page', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const blocked: string[] = [];
  page.on('console', (m) => blocked.push(m.text()));
  await page.setContent(`<iframe src="${osprey.url}/login" width="600" height="400"></iframe>`);
  await expect
    .poll(() => blocked.some((t) => /frame-ancestors|X-Frame-Options/.test(t)))
    .toBe(true);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(await frame?.locator('input[name=password]').count()).toBe(0);
  await context.close();
});
