/** Rollup block sizes, coarsest first: hours (predictions_1h) and minutes (predictions_1m). */
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/**
 * Buckets of a series: an instant t falls in bucket `floor((t − origin) · num / den)`. Fixed steps
 * aligned on the epoch: origin 0, num 1, den = step. n equal parts of [from, to): origin from,
 * num n, den to − from. One bucket for the whole range: num 0.
 */
export interface Grid {
  origin: number;
  num: number;
  den: number;
}

/** A part of the range read from one source: a rollup of blocks of `level` ms, or raw rows. */
export interface Piece {
  level: number | null;
  from: number;
  to: number;
}

/** Every block of `level` ms falls inside one bucket of the grid. */
export function exactOn(grid: Grid, level: number): boolean {
  if (grid.num === 0) return true;
  return grid.origin % level === 0 && grid.den % (grid.num * level) === 0;
}

/**
 * Covers [from, to) with the coarsest blocks that fit: whole blocks of the first level in the
 * middle, the ragged ends from the next levels, what is left (under a minute) from raw rows. At
 * most 2·levels + 1 pieces.
 */
export function cover(from: number, to: number, levels: readonly number[]): Piece[] {
  if (from >= to) return [];
  const [level, ...finer] = levels;
  if (level === undefined) return [{ level: null, from, to }];
  const start = Math.ceil(from / level) * level;
  const end = Math.floor(to / level) * level;
  if (start >= end) return cover(from, to, finer);
  return [...cover(from, start, finer), { level, from: start, to: end }, ...cover(end, to, finer)];
}
