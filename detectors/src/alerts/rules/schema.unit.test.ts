import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration';
import { ruleInput } from './schema';

const valid = {
  name: 'drift',
  model: 'house-prices',
  metric: 'drift.psi',
  op: '>',
  threshold: 0.2,
};

function firstIssue(input: object): string {
  const r = ruleInput.safeParse(input);
  if (r.success) return 'ok';
  const i = r.error.issues[0]!;
  return `${i.path.join('.')}: ${i.message}`;
}

describe('alert rule schema', () => {
  it('fills the defaults', () => {
    expect(ruleInput.parse(valid)).toMatchObject({
      for: 1,
      severity: 'warning',
      channels: [],
      repeat_interval: '4h',
      action: 'none',
      enabled: true,
    });
  });

  it.each([
    [{ ...valid, metric: 'drift.nope' }, 'metric: drift statistics are dataset'],
    [{ ...valid, metric: 'latency.p42' }, 'metric: must be drift.<statistic>'],
    [{ ...valid, metric: 'multivariate.psi' }, 'metric: must be drift.<statistic>'],
    [{ ...valid, op: '=>' }, 'op: must be one of'],
    [{ ...valid, threshold: '0.2' }, 'threshold: required, a number'],
    [{ ...valid, for: 0 }, 'for: '],
    [{ ...valid, repeat_interval: '4 hours' }, 'repeat_interval: must be a duration'],
    [{ ...valid, action: 'restart' }, 'action: must be one of none, rollback'],
    [{ ...valid, channels: ['x'] }, 'channels.0: must be channel ids'],
    [{ ...valid, segment: 'region' }, 'segment: must be key=value'],
    [{ ...valid, extra: 1 }, ''],
  ])('%j is refused naming the field', (input, message) => {
    expect(firstIssue(input)).toContain(message);
  });

  it.each([
    'drift.dataset',
    'drift.verdict',
    'latency.p99',
    'error_rate',
    'throughput',
    'performance.f1',
    'estimated.roc_auc',
    'multivariate.reconstruction_error',
    'multivariate.alert',
    'shadow.disagreement',
  ])('%s is a valid metric', (metric) => expect(firstIssue({ ...valid, metric })).toBe('ok'));

  it('parses Alertmanager durations', () => {
    expect(parseDuration('4h')).toBe(4 * 3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration('5x')).toBeUndefined();
  });
});
