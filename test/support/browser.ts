import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.OSPREY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, with nothing that reaches the network on its own. Playwright gives
 * every launch a fresh temporary profile (its own --user-data-dir).
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** The first admin the dashboard tests start Osprey with (a password the strength rules take). */
export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };

/** The env that makes ADMIN the first admin; the scheduler off unless a test wants it. */
export function adminEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    OSPREY_ADMIN_EMAIL: ADMIN.email,
    OSPREY_ADMIN_PASSWORD: ADMIN.password,
    OSPREY_DETECTORS: 'off',
    ...extra,
  };
}

/** Signs ADMIN in through the login form and waits for the Overview. */
export async function signIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}/`);
}

/** Whether the page is wider than the viewport (a horizontal scrollbar). */
export function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
}

/** A fresh page of the given width, signed in as ADMIN. */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  width: number,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await signIn(page, baseUrl);
  return page;
}
