import { describe, expect, it } from 'vitest';
import { ProgressTracker } from './progress';

describe('ProgressTracker', () => {
  it('starts as starting, so nothing reads "all quiet" before the first pass has planned', () => {
    expect(new ProgressTracker().get()).toEqual({ state: 'starting', done: 0, total: 0 });
  });

  it('counts a backfill over all models and ends current', () => {
    const t = new ProgressTracker();
    t.planned([24, 3]);
    expect(t.get()).toEqual({ state: 'backfilling', done: 0, total: 27 });
    t.detected();
    t.detected();
    expect(t.get()).toEqual({ state: 'backfilling', done: 2, total: 27 });
    t.finished();
    expect(t.get()).toEqual({ state: 'current', done: 27, total: 27 });
  });

  it('a pass with at most one window per model is routine, not a backfill', () => {
    const t = new ProgressTracker();
    t.planned([1, 1, 0]);
    expect(t.get().state).toBe('current');
  });
});
