import type { ShadowAggregates } from '@osprey/db';
import { describe, expect, it } from 'vitest';
import { chooseOutput } from './compare';
import { shadowRunRequest, verdictCriteria } from './schema';
import type { SideBySideReport } from './side-by-side-report';
import { decide } from './verdict';

const base: ShadowAggregates = {
  rows: 1000,
  compared: 1000,
  agreement: null,
  abs_diff_mean: 10,
  abs_diff_p95: 40,
  abs_diff_max: 90,
  labelled: 100,
  production_mae: 1000,
  candidate_mae: 900,
  production_accuracy: null,
  candidate_accuracy: null,
  ks_statistic: 0.1,
  ks_p_value: 0.2,
};
const criteria = verdictCriteria.parse({});

describe('decide', () => {
  it('promotes a regression candidate that is no worse on the labels and fast enough', () => {
    const v = decide('regression', base, 12, criteria);
    expect(v.decision).toBe('promote');
    expect(v.checks).toEqual([
      { name: 'abs_diff_p95', value: 40, threshold: null, pass: null },
      { name: 'candidate_mae', value: 900, threshold: 1000, pass: true },
      { name: 'batch_latency_p95_ms', value: 12, threshold: 1000, pass: true },
    ]);
  });

  it('holds on a worse MAE beyond the allowed degradation, a slow batch or too large differences', () => {
    expect(decide('regression', { ...base, candidate_mae: 1030 }, 12, criteria).decision).toBe(
      'hold',
    );
    expect(
      decide('regression', { ...base, candidate_mae: 1030 }, 12, {
        ...criteria,
        max_metric_degradation: 0.05,
      }).decision,
    ).toBe('promote');
    expect(decide('regression', base, 1500, criteria).decision).toBe('hold');
    expect(decide('regression', base, 12, { ...criteria, max_abs_diff_p95: 39 }).decision).toBe(
      'hold',
    );
  });

  it('skips the metric check with too few labels instead of failing it', () => {
    const v = decide('regression', { ...base, labelled: 5, candidate_mae: 5000 }, 12, criteria);
    expect(v.checks.find((c) => c.name === 'candidate_mae')).toMatchObject({ pass: null });
    expect(v.decision).toBe('promote');
  });

  it('classification: agreement and accuracy', () => {
    const cls = { ...base, agreement: 0.97, production_accuracy: 0.9, candidate_accuracy: 0.91 };
    expect(decide('classification', cls, 5, criteria).decision).toBe('promote');
    expect(decide('classification', { ...cls, agreement: 0.9 }, 5, criteria).decision).toBe('hold');
    expect(
      decide('classification', { ...cls, candidate_accuracy: 0.88 }, 5, criteria).decision,
    ).toBe('hold');
  });
});

/** A side-by-side report with only what the verdict reads filled in. */
function side(speedup: number | null, labelled: { events: number; mae_delta: number | null }) {
  return { speedup, labelled } as unknown as SideBySideReport;
}

describe('decide: speed-up with MAE delta', () => {
  const wanted = { ...criteria, min_speedup: 2, max_mae_delta: 50 };

  it('promotes a candidate at least X times faster whose MAE rose by at most Y', () => {
    const v = decide('regression', base, 12, wanted, side(2.5, { events: 100, mae_delta: 40 }));
    expect(v.checks.slice(-2)).toEqual([
      { name: 'speedup', value: 2.5, threshold: 2, pass: true },
      { name: 'mae_delta', value: 40, threshold: 50, pass: true },
    ]);
    expect(v.decision).toBe('promote');
  });

  it('holds a candidate too slow or too much worse', () => {
    const slow = decide('regression', base, 12, wanted, side(1.9, { events: 100, mae_delta: 0 }));
    expect(slow.checks.find((c) => c.name === 'speedup')).toMatchObject({ pass: false });
    expect(slow.decision).toBe('hold');
    const worse = decide('regression', base, 12, wanted, side(3, { events: 100, mae_delta: 51 }));
    expect(worse.checks.find((c) => c.name === 'mae_delta')).toMatchObject({ pass: false });
    expect(worse.decision).toBe('hold');
  });

  it('holds when the speed-up asked for could not be measured', () => {
    for (const s of [
      undefined,
      { skipped: 'no production version' },
      side(null, { events: 0, mae_delta: null }),
    ]) {
      const v = decide('regression', base, 12, { ...criteria, min_speedup: 1.5 }, s);
      expect(v.checks.at(-1)).toEqual({
        name: 'speedup',
        value: null,
        threshold: 1.5,
        pass: false,
      });
      expect(v.decision).toBe('hold');
    }
  });

  it('takes the MAE delta from the logged outputs when production was not run, and skips it with too few labels', () => {
    // base: candidate 900, production 1000 on 100 labelled events.
    const logged = decide('regression', base, 12, { ...criteria, max_mae_delta: -50 });
    expect(logged.checks.at(-1)).toEqual({
      name: 'mae_delta',
      value: -100,
      threshold: -50,
      pass: true,
    });
    const few = decide(
      'regression',
      base,
      12,
      { ...criteria, max_mae_delta: 0 },
      side(2, { events: 29, mae_delta: 10 }),
    );
    expect(few.checks.at(-1)).toEqual({ name: 'mae_delta', value: null, threshold: 0, pass: null });
    expect(few.decision).toBe('promote');
  });

  it('lists neither check unless asked for', () => {
    const v = decide('regression', base, 12, criteria, side(3, { events: 100, mae_delta: 1 }));
    expect(v.checks.map((c) => c.name)).toEqual([
      'abs_diff_p95',
      'candidate_mae',
      'batch_latency_p95_ms',
    ]);
  });
});

describe('verdict criteria: speed-up and MAE delta', () => {
  const parse = (criteria: Record<string, unknown>) =>
    shadowRunRequest.safeParse({ candidate_version: 'v2', from: 0, to: 1, criteria });

  it('takes a positive speed-up and any MAE delta', () => {
    const r = parse({ min_speedup: 1.5, max_mae_delta: -10 });
    expect(r.success && r.data.criteria).toMatchObject({ min_speedup: 1.5, max_mae_delta: -10 });
    // Unset, they are left out of the stored request.
    expect(Object.keys(verdictCriteria.parse({}))).not.toContain('min_speedup');
  });

  it('names the field of a speed-up that is not above 0 or an MAE delta that is not a number', () => {
    for (const [criteria, field] of [
      [{ min_speedup: 0 }, 'min_speedup'],
      [{ min_speedup: -2 }, 'min_speedup'],
      [{ min_speedup: '2x' }, 'min_speedup'],
      [{ max_mae_delta: 'small' }, 'max_mae_delta'],
    ] as const) {
      const r = parse(criteria);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['criteria', field]);
    }
  });
});

describe('chooseOutput', () => {
  const regressor = {
    inputs: [],
    outputs: [{ name: 'price', type: 'float32' as const, shape: ['?', 1] }],
  };
  const classifier = {
    inputs: [],
    outputs: [
      { name: 'label', type: 'int64' as const, shape: ['?'] },
      { name: 'probabilities', type: 'float32' as const, shape: ['?', 2] },
    ],
  };
  it('takes an integer output as a classifier label, else the first output as a regression', () => {
    expect(chooseOutput(regressor)).toEqual({ task: 'regression', output: 'price' });
    expect(chooseOutput(classifier)).toEqual({
      task: 'classification',
      output: 'label',
      score: 'probabilities',
    });
    expect(chooseOutput(classifier, 'probabilities')).toEqual({
      task: 'regression',
      output: 'probabilities',
    });
    expect(() => chooseOutput(regressor, 'nope')).toThrow(
      /output: the candidate has no output "nope" \(it has price\)/,
    );
  });
});
