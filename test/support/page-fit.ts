import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const SCRIPT = readFileSync(join(import.meta.dirname, 'page-fit.dom.js'), 'utf8');

/**
 * Where the page is wider than the window, a box scrolls sideways, an element sticks out of its
 * card, or a table cell's text is cut: each outermost offender once.
 */
export function overflows(page: Page): Promise<string[]> {
  return page.evaluate(SCRIPT) as Promise<string[]>;
}
