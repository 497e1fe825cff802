import { Tables, type Store } from '@osprey/db';

/**
 * Benchmark data generated inside ClickHouse (no rows cross into Node): `rows` reference rows
 * (reference_rows, id "bench") and `rows` predictions in [from, from + 1 h) for model "bench",
 * with `numeric` numeric and `categorical` categorical features. The current rows drift on every
 * third numeric feature (mean +0.3σ) and on the first categorical one.
 */
export async function generateDriftData(
  store: Store,
  opts: { rows: number; numeric: number; categorical: number; from: number },
): Promise<void> {
  // Deterministic per row and feature: uniforms from a hash of (row, feature, seed, side), normals
  // by Box–Muller. (ClickHouse's rand functions would be evaluated once inside arrayMap.)
  const uniform = (seed: number, side: number) =>
    `((cityHash64(number, i, ${seed}, ${side}) % 4294967291) + 0.5) / 4294967291`;
  const normal = (side: number) =>
    `(sqrt(-2 * log(${uniform(1, side)})) * cos(2 * pi() * ${uniform(2, side)}))`;
  const features = (current: 0 | 1) => ({
    num: `mapFromArrays(
        arrayMap(i -> concat('num_', toString(i)), range(${opts.numeric})),
        arrayMap(i -> round(i + (1 + i / 10) * ${normal(current)} + ${current} * if(i % 3 = 0, 0.3 * (1 + i / 10), 0), 4),
                 range(${opts.numeric})))`,
    cat: `mapFromArrays(
        arrayMap(i -> concat('cat_', toString(i)), range(${opts.categorical})),
        arrayMap(i -> concat('c', toString(toUInt32(floor(
            if(${current} = 1 AND i = 0, pow(${uniform(3, current)}, 2), ${uniform(3, current)}) * (5 + i))))),
          range(${opts.categorical})))`,
  });
  const ref = features(0);
  const cur = features(1);
  await store.command(
    `INSERT INTO ${Tables.referenceRows} (model, version, reference_id, timestamp, num_features, cat_features, prediction_num)
     SELECT 'bench', 'v1', 'bench', now64(3), ${ref.num}, ${ref.cat}, round(randNormal(100, 15), 2)
     FROM numbers({rows:UInt64})`,
    { rows: opts.rows },
  );
  await store.command(
    `INSERT INTO ${Tables.predictions} (event_id, timestamp, model, version, num_features, cat_features, prediction_num, latency_ms)
     SELECT generateUUIDv4(), fromUnixTimestamp64Milli({from:Int64} + intDiv(number * 3600000, {rows:UInt64}), 'UTC'),
            'bench', 'v1', ${cur.num}, ${cur.cat}, round(randNormal(104, 15), 2), round(randExponential(0.1), 2)
     FROM numbers({rows:UInt64})`,
    { rows: opts.rows, from: opts.from },
  );
}
