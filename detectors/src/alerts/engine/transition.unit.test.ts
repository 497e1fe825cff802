import { describe, expect, it } from 'vitest';
import { step, type InstanceState, type StepInput } from './transition';

const H = 3_600_000;
const HOUR0 = Date.UTC(2026, 0, 1);
const win = (i: number) => ({ from: HOUR0 + i * H, to: HOUR0 + (i + 1) * H });

/** Runs windows 0..n-1 with the given breaches; answers each step's event and notification. */
function run(breaches: boolean[], opts: Partial<StepInput> & { silencedAt?: number[] } = {}) {
  let state: InstanceState | undefined;
  return breaches.map((breaching, i) => {
    const s = step(state, {
      window: win(i),
      value: breaching ? 1 : 0,
      breaching,
      for: opts.for ?? 1,
      repeatMs: opts.repeatMs ?? 4 * H,
      silenced: opts.silencedAt?.includes(i) ?? false,
      now: win(i).to + 60_000,
    })!;
    state = s.next;
    return {
      state: s.next.state,
      event: s.event,
      notify: s.notify?.status,
      repeat: s.notify?.repeat,
    };
  });
}

describe('alert state machine', () => {
  it('for: 3 fires on the third consecutive breaching window only', () => {
    const steps = run([true, true, true, true]);
    expect(run([true, true, true, true], { for: 3 }).map((s) => s.state)).toEqual([
      'pending',
      'pending',
      'firing',
      'firing',
    ]);
    expect(run([true, true, true], { for: 3 }).map((s) => s.notify)).toEqual([
      undefined,
      undefined,
      'firing',
    ]);
    expect(steps[0]).toMatchObject({ state: 'firing', event: 'firing', notify: 'firing' });
  });

  it('a good window resets the count; a pending alert clears without a notification', () => {
    const steps = run([true, true, false, true, true, true], { for: 3 });
    expect(steps.map((s) => s.state)).toEqual([
      'pending',
      'pending',
      'inactive',
      'pending',
      'pending',
      'firing',
    ]);
    expect(steps[2]).toMatchObject({ event: 'inactive', notify: undefined });
  });

  it('resolves on the first good window and notifies the resolution', () => {
    const steps = run([true, true, false]);
    expect(steps.map((s) => [s.state, s.event, s.notify])).toEqual([
      ['firing', 'firing', 'firing'],
      ['firing', undefined, undefined],
      ['resolved', 'resolved', 'resolved'],
    ]);
  });

  it('repeats while firing once repeat_interval has passed', () => {
    const steps = run([true, true, true, true, true], { repeatMs: 2 * H });
    expect(steps.map((s) => s.notify ?? '-')).toEqual(['firing', '-', 'firing', '-', 'firing']);
    expect(steps[2]!.repeat).toBe(true);
  });

  it('a silence suppresses notifications but not transitions; afterwards the firing alert is notified', () => {
    const steps = run([true, true, true, false], { silencedAt: [0, 1] });
    expect(steps.map((s) => [s.state, s.event ?? '-', s.notify ?? '-'])).toEqual([
      ['firing', 'firing', '-'],
      ['firing', '-', '-'],
      ['firing', '-', 'firing'],
      ['resolved', 'resolved', 'resolved'],
    ]);
  });

  it('no resolution is sent for an alert whose firing was never notified', () => {
    const steps = run([true, false], { silencedAt: [0] });
    expect(steps[1]).toMatchObject({ state: 'resolved', event: 'resolved', notify: undefined });
  });

  it('a window already evaluated (or older) is skipped: recomputing is idempotent', () => {
    const first = step(undefined, {
      window: win(1),
      value: 1,
      breaching: true,
      for: 1,
      repeatMs: H,
      silenced: false,
      now: 0,
    })!;
    expect(
      step(first.next, {
        window: win(1),
        value: 1,
        breaching: true,
        for: 1,
        repeatMs: 0,
        silenced: false,
        now: 1,
      }),
    ).toBeUndefined();
    expect(
      step(first.next, {
        window: win(0),
        value: 0,
        breaching: false,
        for: 1,
        repeatMs: 0,
        silenced: false,
        now: 1,
      }),
    ).toBeUndefined();
  });

  it('a gap between windows restarts the count', () => {
    const a = step(undefined, {
      window: win(0),
      value: 1,
      breaching: true,
      for: 2,
      repeatMs: H,
      silenced: false,
      now: 0,
    })!;
    const b = step(a.next, {
      window: win(2),
      value: 1,
      breaching: true,
      for: 2,
      repeatMs: H,
      silenced: false,
      now: 1,
    })!;
    expect(b.next).toMatchObject({ state: 'pending', consecutive: 1 });
  });
});
