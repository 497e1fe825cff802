/**
 * numpy's binning and percentiles as ClickHouse expressions, so the bins of a diagnostic are
 * numpy's to the last ulp and are computed where the rows are. Edges are computed in SQL from
 * integers and the data's own min/max, never parsed from text: a bound Float64 may be parsed
 * one ulp off, and a value on an edge would change bins.
 */

/** numpy.linspace(lo, hi, bins + 1) (i·step + lo, the last exactly hi) as an Array(Float64). */
export function linspaceSql(lo: string, hi: string, bins: string): string {
  return `arrayMap(i -> if(i = ${bins}, ${hi}, i * ((${hi} - ${lo}) / ${bins}) + ${lo}), range(0, ${bins} + 1))`;
}

/**
 * numpy.percentile(x, qs·100) with the default linear method, over `sorted` (arraySort of x) at
 * levels `levels` (an Array(Float64) of fractions): virtual index n·q + (1 − q) − 1, and numpy's
 * lerp (from the upper neighbour when the fraction is ≥ ½).
 */
export function percentilesSql(sorted: string, levels: string): string {
  const n = `length(${sorted})`;
  const at = (i: string) => `arrayElement(${sorted}, toUInt64(${i}) + 1)`;
  return `arrayMap(v -> if(v >= ${n} - 1, arrayElement(${sorted}, ${n}),
      if(v - floor(v) >= 0.5,
         ${at('floor(v) + 1')} - (${at('floor(v) + 1')} - ${at('floor(v)')}) * (1 - (v - floor(v))),
         ${at('floor(v)')} + (${at('floor(v) + 1')} - ${at('floor(v)')}) * (v - floor(v)))),
    arrayMap(q -> ${n} * q + (1 - q) - 1, ${levels}))`;
}

/**
 * The 0-based bin of `v` in numpy.histogram's equal-width bins from `lo` to `hi` (`edges` their
 * linspace): numpy's index from the scaled offset, corrected by one where it falls across an
 * edge; the last bin holds `hi`.
 */
export function histogramBinSql(
  v: string,
  lo: string,
  hi: string,
  bins: string,
  edges: string,
): string {
  const raw = `least(toInt64((${v} - ${lo}) / (${hi} - ${lo}) * ${bins}), ${bins} - 1)`;
  const down = `if(${v} < arrayElement(${edges}, ${raw} + 1), ${raw} - 1, ${raw})`;
  return `if(${v} >= arrayElement(${edges}, ${down} + 2) AND ${down} != ${bins} - 1, ${down} + 1, ${down})`;
}
