/**
 * The exact two-sided p-value of the two-sample Kolmogorov–Smirnov statistic, as scipy's
 * ks_2samp computes it (method 'exact', and 'auto' up to 10,000 values a side): it depends only on
 * the sizes n and m and the statistic D, so it is computed here from the three numbers rather than
 * over every value again. Equal sizes: the Horner-like alternating sum of the paths outside the
 * square (O(n)); unequal: the "inside method" recursion of Hodges as rearranged by Viehmann
 * (arXiv 2102.08037) to give 1 − p directly, over a sliding window of each column (O(m · window)).
 * Undefined where the recursion leaves [0, 1] (scipy then falls back to the asymptotic p-value).
 */
export function exactKsP(n: number, m: number, d: number): number | undefined {
  const g = gcd(n, m);
  const lcm = (n / g) * m;
  const h = roundHalfEven(d * lcm);
  if (h === 0) return 1;
  const p = n === m ? probOutsideSquare(n, h) : outerProbInside(n, m, g, h);
  return Number.isFinite(p) && p >= 0 && p <= 1 ? p : undefined;
}

function probOutsideSquare(n: number, h: number): number {
  // P = 2·A0·(1 − A1·(1 − A2·(1 − …))), each Ak a ratio of h simple terms.
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

function outerProbInside(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const a = new Float64Array(Math.min(2 * maxj + 2, n + 1)).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj]! * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1]!;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** numpy's round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
