import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NORMAL, type Conditions } from './house-prices';

export const HOUR = 3_600_000;

/**
 * The demo's story, fixed when it is first seeded (and kept in the data directory, so a restart
 * continues it): a day of history ending at `seededAt`, from a whole hour on (a partly filled
 * first hour would be a detection window of a few events, noisy enough to look drifted); the
 * hour ending nine hours before the
 * seeding hour, when the feature store was slow (latency several times normal, timeouts); and,
 * from three hours before that hour on, listings from a new development on the outskirts — the
 * distance to the centre drifts further every hour until it levels off, and keeps drifting in
 * live traffic.
 */
export interface Story {
  seededAt: number;
  history: { from: number; to: number };
  spike: { from: number; to: number };
  driftFrom: number;
}

export function storyAt(seededAt: number): Story {
  const hour = Math.floor(seededAt / HOUR) * HOUR;
  return {
    seededAt,
    history: { from: hour - 23 * HOUR, to: seededAt },
    spike: { from: hour - 10 * HOUR, to: hour - 9 * HOUR },
    driftFrom: hour - 3 * HOUR,
  };
}

export function conditionsAt(story: Story, t: number): Conditions {
  const spike = t >= story.spike.from && t < story.spike.to;
  const hoursDrifting = (t - story.driftFrom) / HOUR;
  return {
    distanceShiftKm: hoursDrifting < 0 ? 0 : Math.min(7.5, 2.5 * hoursDrifting),
    latencyFactor: spike ? 6 : NORMAL.latencyFactor,
    errorRate: spike ? 0.09 : NORMAL.errorRate,
  };
}

/** Requests per second relative to the day's mean: busy afternoons, quiet nights (UTC). */
export function dailyCurve(t: number): number {
  const hourOfDay = (t % (24 * HOUR)) / HOUR;
  return 1 + 0.45 * Math.sin((2 * Math.PI * (hourOfDay - 9)) / 24);
}

const FILE = 'demo-story.json';

export function loadStory(dataDir: string): Story | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  const { seeded_at } = JSON.parse(readFileSync(file, 'utf8')) as { seeded_at: number };
  return storyAt(seeded_at);
}

/** Written once the history is stored: from then on a start continues this story. */
export function saveStory(dataDir: string, story: Story): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify({ seeded_at: story.seededAt })}\n`);
}
