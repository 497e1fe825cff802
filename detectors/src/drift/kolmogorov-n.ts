// The distribution of the two-sided one-sample KS statistic D_n for a finite n: scipy's
// `kstwo.sf(x, n)`, which `ks_2samp` evaluates at n = round(n1·n2/(n1+n2)) when a side has more
// than 10,000 values. The limiting (n → ∞) Kolmogorov distribution is off by several percent near
// p = 0.05 for n in the hundreds (800 × 50,000 at D = 0.0482: 0.0515 against scipy's 0.04995),
// so the same algorithms as scipy's stats/_ksstats.py (Simard & L'Ecuyer 2011) are used, region
// by region: the Durbin matrix (Marsaglia–Tsang–Wang) where it is cheap and exact, the Pelz–Good
// expansion elsewhere, and twice the one-sided Smirnov tail when the p-value is small.

const E128 = 2 ** 128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
// Bernoulli-number coefficients of Stirling's series, B_2j / (2j (2j - 1)) for j = 8 … 1.
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

const clip = (p: number) => Math.min(1, Math.max(0, p));

/** P(D_n > x), as scipy.stats.kstwo.sf(x, n). */
export function kolmogorovNSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(x)) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: P(D_n <= x) = n!/n^n (2t - 1)^n for 1/(2n) <= x <= 1/n.
    if (t <= 0.5) return 1;
    const cdf =
      n <= 140
        ? Array.from({ length: n }, (_, i) => ((i + 1) / n) * (2 * t - 1)).reduce((a, b) => a * b)
        : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    // scipy uses Pomeranz's recursion for 0.754693 < n x² <= 4; the Durbin matrix is exact
    // there too and small (order 2·ceil(n x) - 1 <= 47).
    if (nx2 <= 4) return clip(1 - durbinCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

/** log(n! / n^n) by Stirling's series, with n log n taken out up front. */
function logFactorialOverPower(n: number): number {
  const r = 1 / n;
  const poly = STIRLING.reduce((acc, c) => acc * (r / n) + c, 0);
  return Math.log(n) / 2 - n + LOG_2PI / 2 + r * poly;
}

/**
 * P(D+_n >= x), the one-sided Smirnov tail, exactly (Birnbaum–Tingey):
 * x Σ_{j=0}^{⌊n(1-x)⌋} C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1), summed in logs.
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x) + 1e-12);
  // log C(n, j), updated term by term: n log-binomials by gammaln would cost a second at n = 500k.
  let logBinomial = 0;
  let sum = 0;
  let peak = -Infinity;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinomial += Math.log((n - j + 1) / j);
    const a = 1 - x - j / n;
    if (a <= 0 && n - j > 0) break;
    const log =
      logBinomial +
      (n - j) * Math.log(Math.max(a, Number.MIN_VALUE)) +
      (j - 1) * Math.log(x + j / n);
    if (log > peak) peak = log;
    sum += Math.exp(log);
    // The terms rise to one peak and fall off; stop once they no longer count.
    if (log < peak - 40) break;
  }
  return clip(x * sum);
}

/** P(D_n <= d) by the Durbin matrix: the k-th diagonal entry of (n!/n^n) H^n. */
function durbinCdf(n: number, d: number): number {
  const nd = n * d;
  if (d >= 1) return 1;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Array<number>(m);
  const w = new Array<number>(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  let H = zeros(m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r]![i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) H[r]![0] = v[r]!;
  for (let c = 0; c < m; c++) H[m - 1]![c] = v[m - 1 - c]!;

  let power = identity(m);
  let exponent = 0;
  let hExponent = 0;
  for (let nn = n; nn > 0; nn = Math.floor(nn / 2)) {
    if (nn % 2) {
      power = multiply(power, H);
      exponent += hExponent;
    }
    H = multiply(H, H);
    hExponent *= 2;
    if (Math.abs(H[k - 1]![k - 1]!) > E128) {
      for (const row of H) for (let c = 0; c < m; c++) row[c]! /= E128;
      hExponent += 128;
    }
  }
  let p = power[k - 1]![k - 1]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 1 / E128) {
      p *= E128;
      exponent -= 128;
    }
  }
  return clip(p * 2 ** exponent);
}

function zeros(m: number): number[][] {
  return Array.from({ length: m }, () => new Array<number>(m).fill(0));
}

function identity(m: number): number[][] {
  const out = zeros(m);
  for (let i = 0; i < m; i++) out[i]![i] = 1;
  return out;
}

function multiply(a: number[][], b: number[][]): number[][] {
  const m = a.length;
  const out = zeros(m);
  for (let i = 0; i < m; i++) {
    const row = out[i]!;
    const ai = a[i]!;
    for (let l = 0; l < m; l++) {
      const x = ai[l]!;
      if (x === 0) continue;
      const bl = b[l]!;
      for (let j = 0; j < m; j++) row[j]! += x * bl[j]!;
    }
  }
  return out;
}

/** Pelz–Good's expansion of P(D_n <= x) in powers of 1/sqrt(n) (scipy's _kolmogn_PelzGood). */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = q ** (8 * k);
    const coeffs = [
      1,
      k1a + k1b * m2,
      k2a + k2b * m2 + k2c * m4,
      k3a + k3b * m2 + k3c * m4 + k3d * m6,
    ];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qpower + coeffs[i]!;
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT_2PI) / divisors[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    k2extra += k2 * qp;
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k2 * qp;
  }
  K[2]! += (k2extra * PI2 * SQRT_2PI) / (-36 * z3);
  K[3]! += (k3extra * PI2 * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i]! / n ** (i / 2);
  return sum;
}
