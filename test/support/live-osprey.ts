import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { adminEnv, launchBrowser, signedInPage } from './browser';
import { startOsprey, type OspreyProcess } from './osprey-process';

/** A real `osprey start` (ADMIN its first admin) and a headless browser, shared by a test file. */
export interface LiveOsprey {
  readonly osprey: OspreyProcess;
  readonly browser: Browser;
  /** A fresh page of the given width, signed in as ADMIN. */
  page(width: number): Promise<Page>;
}

/**
 * Starts Osprey (adminEnv plus `env`) and the browser before the file's tests, then runs `setup`
 * (e.g. logging the data the tests read) within the same `timeout`; stops both after the tests.
 */
export function liveOsprey(
  opts: { env?: Record<string, string>; setup?: () => Promise<void>; timeout?: number } = {},
): LiveOsprey {
  let osprey: OspreyProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [osprey, browser] = await Promise.all([
      startOsprey({ env: adminEnv(opts.env) }),
      launchBrowser(),
    ]);
    await opts.setup?.();
  }, opts.timeout ?? 120_000);
  afterAll(async () => {
    await browser?.close();
    await osprey?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet`);
    return value;
  };
  return {
    get osprey() {
      return started(osprey, 'Osprey');
    },
    get browser() {
      return started(browser, 'The browser');
    },
    page(width) {
      return signedInPage(this.browser, this.osprey.url, width);
    },
  };
}
