import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// A fresh install started without OSPREY_ADMIN_EMAIL: the dashboard leads to the one-time setup
// screen, which creates the first admin and is gone afterwards.
let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    startOsprey({ env: { OSPREY_DETECTORS: 'off' } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

it('creates the first admin on the setup screen, once', async () => {
  // Not from another site: no Origin, no setup.
  const forged = await fetch(`${osprey.url}/api/v1/auth/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'eve@example.com', password: 'a-long-enough-password' }),
  });
  expect(forged.status).toBe(403);

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${osprey.url}/`);
  await page.waitForURL(`${osprey.url}/setup`);
  await page.fill('input[name=email]', 'Ada@Example.com');
  await page.fill('input[name=name]', 'Ada');
  // The browser's own minLength check is bypassed to see the API's answer name the field.
  await page.$eval('input[name=password]', (el) => el.removeAttribute('minlength'));
  await page.fill('input[name=password]', 'short');
  await page.click('button[type=submit]');
  await expect
    .poll(() => page.locator('.error').innerText())
    .toBe('password: must be at least 12 characters');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/setup.png` });

  await page.fill('input[name=password]', 'correct-horse-battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${osprey.url}/`);
  await expect.poll(() => page.locator('h1').first().innerText()).toBe('Overview');
  const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json());
  expect(me).toMatchObject({ user: { email: 'ada@example.com', name: 'Ada', role: 'admin' } });
  // The sidebar greets the user by the name given here; the e-mail is its tooltip.
  const signedIn = page.getByTestId('signed-in-name');
  expect(await signedIn.innerText()).toBe('Ada');
  expect(await signedIn.getAttribute('title')).toBe('ada@example.com');

  // Done once: a second setup is refused, and the screen now leads to the login page.
  const again = await page.evaluate(async () => {
    const res = await fetch('/api/v1/auth/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'mallory@example.com', password: 'another-long-password' }),
    });
    return { status: res.status, body: await res.json() };
  });
  expect(again).toEqual({
    status: 409,
    body: { error: 'setup: done already; sign in with an existing account' },
  });
  const stranger = await browser.newPage();
  await stranger.goto(`${osprey.url}/setup`);
  await stranger.waitForURL(`${osprey.url}/login`);
  await stranger.close();
  await context.close();
});
