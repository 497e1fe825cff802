import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kolmogorovNSf } from './kolmogorov-n';
import { asymptoticKsP } from './numeric-sql';
import { drifted } from './verdict';

// scipy 1.17's numbers, from detectors/fixtures/drift_defects_fixtures.py.
const fixtures = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/drift-defects.json'), 'utf8'),
) as {
  kstwo: { n: number; x: number; sf: number }[];
  ks_2samp_asymp: { n1: number; n2: number; d: number; p: number }[];
};

describe('the finite-n Kolmogorov distribution (scipy kstwo.sf)', () => {
  it('matches scipy within 1e-6 relative on every region of the algorithm', () => {
    for (const { n, x, sf } of fixtures.kstwo) {
      const p = kolmogorovNSf(n, x);
      const error = sf === 0 ? p : Math.abs(p - sf) / sf;
      expect(error, `n=${n} x=${x}: ${p} vs ${sf}`).toBeLessThan(1e-6);
    }
  });

  it("gives ks_2samp's asymptotic p-value within 1e-3 relative", () => {
    for (const { n1, n2, d, p } of fixtures.ks_2samp_asymp)
      expect(Math.abs(asymptoticKsP(d, n1, n2) - p) / p, `${n1}×${n2}`).toBeLessThan(1e-3);
  });

  it('800 reference × 50,000 window values at D = 0.0482 drift, as in scipy (p 0.04995)', () => {
    const p = asymptoticKsP(0.0482, 800, 50_000);
    expect(p).toBeCloseTo(0.049954, 5);
    expect(drifted({ method: 'ks', threshold: 0.05 }, p)).toBe(true);
  });
});
