import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startOsprey, type OspreyProcess } from './osprey-process';

const run = promisify(execFile);

/** Runs detectors/fixtures/generate_fixtures.py (numpy, scipy, scikit-learn) into a temp dir. */
export async function generateFixtures(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'osprey-fixtures-'));
  await run(
    join(REPO_ROOT, '.venv', 'bin', 'python'),
    [join(REPO_ROOT, 'detectors', 'fixtures', 'generate_fixtures.py'), dir],
    { timeout: 120_000 },
  );
  return dir;
}

export function readFixture<T>(dir: string, file: string): T {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
}

/** Fixtures generated while an `osprey start` without the scheduler comes up (tests detect on demand). */
export async function fixturesAndOsprey(): Promise<{ dir: string; osprey: OspreyProcess }> {
  const [dir, osprey] = await Promise.all([
    generateFixtures(),
    startOsprey({ env: { OSPREY_DETECTORS: 'off' } }),
  ]);
  return { dir, osprey };
}

/** A closed one-hour window `hoursAgo` hours before the current hour. */
export function pastHour(hoursAgo: number): { from: number; to: number } {
  const HOUR = 3_600_000;
  const from = Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
  return { from, to: from + HOUR };
}
