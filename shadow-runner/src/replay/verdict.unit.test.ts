import type { ShadowAggregates } from '@osprey/db';
import { describe, expect, it } from 'vitest';
import { chooseOutput } from './compare';
import { verdictCriteria } from './schema';
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
