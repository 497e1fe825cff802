import { describe, expect, it } from 'vitest';
import { ruleInput, type AlertRule } from '../rules/schema';
import type { Candidate } from './instance';
import { replayRule } from './preview';

const H = 3_600_000;
const HOUR0 = Date.UTC(2026, 0, 1);

function rule(over: Partial<AlertRule> = {}): AlertRule {
  const spec = ruleInput.parse({
    name: 'r',
    model: 'm',
    metric: 'error_rate',
    op: '>',
    threshold: 0.2,
  });
  return { ...spec, id: 'preview', updated_at: '', ...over };
}

/** One instance's value per hour; null leaves a gap (no stored detection that hour). */
function series(rule: AlertRule, values: (number | null | 'gap')[], feature = ''): Candidate[] {
  return values.flatMap((value, i) =>
    value === 'gap'
      ? []
      : [
          {
            fingerprint: `f-${feature}`,
            rule_id: rule.id,
            rule,
            model: 'm',
            feature,
            segment: '',
            value,
            window: { from: HOUR0 + i * H, to: HOUR0 + (i + 1) * H },
          },
        ],
  );
}

const firedAt = (fired: Candidate[]) => fired.map((c) => (c.window.from - HOUR0) / H);

describe('replayRule', () => {
  it('counts each start of firing, not the windows it keeps firing', () => {
    const r = rule();
    expect(firedAt(replayRule(r, series(r, [0, 0.5, 0.5, 0, 0.5, 0.1, 0.3])))).toEqual([1, 4, 6]);
  });

  it('needs `for` consecutive breaching windows; a gap or a null value restarts the count', () => {
    const r = rule({ for: 2 });
    expect(firedAt(replayRule(r, series(r, [0.5, 0.5, 0.5, 0, 0.5, 0.5])))).toEqual([1, 5]);
    expect(replayRule(r, series(r, [0.5, 'gap', 0.5, null, 0.5]))).toEqual([]);
    expect(replayRule(rule({ for: 3 }), series(r, [0.5, 0.5, 0, 0.5, 0.5]))).toEqual([]);
  });

  it('keeps instances apart and orders candidates by window', () => {
    const r = rule({ op: '<=', threshold: 0.1 });
    const mixed = [...series(r, [0.2, 0.05, 0.3], 'a'), ...series(r, [0.1, 0.2, 0.1], 'b')];
    const fired = replayRule(r, mixed.reverse());
    expect(fired.map((c) => [c.feature, (c.window.from - HOUR0) / H])).toEqual([
      ['b', 0],
      ['a', 1],
      ['b', 2],
    ]);
  });
});
