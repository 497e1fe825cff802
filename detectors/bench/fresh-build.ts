import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The whole `POST …/detect` runs in the dashboard's production build (web/.next), which bundles the
 * detectors' code when `next build` runs: a build older than the sources times the old code.
 * Refuses to time it then.
 */
export function assertFreshDashboardBuild(root: string): void {
  const built = statSync(join(root, 'web', '.next', 'BUILD_ID'), { throwIfNoEntry: false });
  const newest = Math.max(
    ...['detectors/src', 'db/src'].map((dir) => newestMtime(join(root, dir))),
  );
  if (!built || built.mtimeMs < newest) {
    throw new Error(
      'web/.next is older than detectors/src or db/src, so POST …/detect would time the old code: run `npx turbo run build` first',
    );
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
