import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { principalPlane } from './principal-plane';

/** n vectors of dimension d spread mostly along two hidden directions, plus noise. */
function sample(n: number, d: number, seed: number): number[][] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const a = Array.from({ length: d }, normal);
  const b = Array.from({ length: d }, normal);
  return Array.from({ length: n }, () => {
    const s = 3 * normal();
    const t = 1.5 * normal();
    return a.map((x, j) => 2 + s * x + t * b[j]! + 0.3 * normal());
  });
}

/** The reference answer: eigenvectors of the sample covariance by decreasing eigenvalue. */
function eigenPlane(rows: number[][]) {
  const x = new Matrix(rows);
  const mean = x.mean('column');
  const centred = x.clone().subRowVector(mean);
  const covariance = centred.transpose().mmul(centred);
  const eigen = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
  const order = eigen.realEigenvalues
    .map((_, i) => i)
    .sort((i, j) => eigen.realEigenvalues[j]! - eigen.realEigenvalues[i]!);
  const total = eigen.realEigenvalues.reduce((s, v) => s + v, 0);
  return order.slice(0, 2).map((i) => ({
    vector: eigen.eigenvectorMatrix.getColumn(i),
    ratio: eigen.realEigenvalues[i]! / total,
  }));
}

describe('principalPlane (subspace iteration)', () => {
  it.each([
    [500, 20],
    [300, 384],
  ])(
    'finds the covariance eigenvectors of %i × %i vectors, up to sign, and their variance shares',
    (n, d) => {
      const rows = sample(n, d, n + d);
      const plane = principalPlane(rows);
      const expected = eigenPlane(rows);
      plane.components.forEach((c, i) => {
        const e = expected[i]!;
        const sign = Math.sign(c.reduce((s, x, j) => s + x * e.vector[j]!, 0));
        c.forEach((x, j) => expect(Math.abs(x - sign * e.vector[j]!)).toBeLessThan(1e-6));
        expect(Math.abs(plane.explained_variance_ratio[i]! - e.ratio)).toBeLessThan(1e-9);
      });
      expect(plane.explained_variance_ratio[0]).toBeGreaterThan(plane.explained_variance_ratio[1]);
    },
  );

  it('gives the same plane for the same sample, with each axis largest entry positive', () => {
    const rows = sample(200, 16, 7);
    const a = principalPlane(rows);
    expect(principalPlane(rows)).toEqual(a);
    for (const c of a.components) {
      const largest = c.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      expect(largest).toBeGreaterThan(0);
    }
  });
});
