import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// The login form in a real browser: its fetch() carries the page's Origin, which the CSRF check
// must accept for same-site mutations (logout here).
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    startOsprey({
      env: { OSPREY_ADMIN_EMAIL: ADMIN.email, OSPREY_ADMIN_PASSWORD: ADMIN.password },
    }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

it('signs in through the form, sets an httpOnly cookie, and logs out from the page', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 480 } });
  const page = await context.newPage();
  await page.goto(`${osprey.url}/login`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await expect.poll(() => page.locator('.error').innerText()).toBe('wrong email or password');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/login-error.png` });

  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${osprey.url}/`);
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'osprey_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

  const call = (method: string, path: string) =>
    page.evaluate(async ([m, p]) => (await fetch(p!, { method: m })).status, [
      method,
      path,
    ] as const);
  expect(await call('GET', '/api/v1/auth/me')).toBe(200);
  expect(await call('POST', '/api/v1/auth/logout')).toBe(200);
  expect(await call('GET', '/api/v1/auth/me')).toBe(401);
  await context.close();
});
