import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exactKsP } from './ks-exact';

// scipy 1.17's numbers, from detectors/fixtures/drift_defects_fixtures.py (section ks_exact):
// _attempt_exact_2kssamp, the exact p-value ks_2samp gives up to 10,000 values a side.
const fixtures = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/drift-defects.json'), 'utf8'),
) as { ks_exact: { n1: number; n2: number; d: number; ok: boolean; p: number | null }[] };

describe("ks_2samp's exact p-value from the sizes and D", () => {
  it('matches scipy within 1e-12 relative (1e-300 absolute) for equal and unequal sizes', () => {
    expect(fixtures.ks_exact.length).toBeGreaterThan(150);
    for (const { n1, n2, d, ok, p } of fixtures.ks_exact) {
      const got = exactKsP(n1, n2, d);
      if (!ok) {
        expect(got, `${n1}×${n2} D=${d}: scipy fell back`).toBeUndefined();
        continue;
      }
      expect(got, `${n1}×${n2} D=${d}`).toBeDefined();
      const error = Math.abs(got! - p!);
      expect(error, `${n1}×${n2} D=${d}: ${got} vs ${p}`).toBeLessThanOrEqual(
        Math.max(1e-12 * p!, 1e-300),
      );
    }
  });

  it('is symmetric in the sizes', () => {
    for (const [n, m, d] of [
      [300, 1000, 0.05],
      [20, 30, 0.35],
      [9999, 10_000, 0.01],
    ] as const)
      expect(exactKsP(n, m, d)).toBe(exactKsP(m, n, d));
  });
});
