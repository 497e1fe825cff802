import { Tables, type Store } from '@osprey/db';

/**
 * Benchmark data generated inside ClickHouse (no rows cross into Node): `rows` reference rows
 * (reference_rows, id "bench") and `rows` predictions in [from, from + 1 h) for model "bench",
 * with `numeric` numeric and `categorical` categorical features. The current rows drift on every
 * third numeric feature (mean +0.3σ) and on the first categorical one. With `models`, as many
 * models "bench-0", "bench-1", … get `rows` of each, every prediction a label (by request_id)
 * and a `region` tag of `regions` values. With `classifier`, the prediction is a binary
 * classifier's score in [0, 1] and every reference row carries its 0/1 label (calibrated: label 1
 * with the score's probability), so CBPE has a labelled reference; the window's scores shift up.
 */
export async function generateDriftData(
  store: Store,
  opts: {
    rows: number;
    numeric: number;
    categorical: number;
    from: number;
    models?: number;
    regions?: number;
    classifier?: boolean;
  },
): Promise<void> {
  const models = opts.models ?? 1;
  const model = models === 1 ? `'bench'` : `concat('bench-', toString(number % ${models}))`;
  const perModel = models === 1 ? 'number' : `intDiv(number, ${models})`;
  const regions = opts.regions ?? 1;
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
  // One uniform per row (outside the features' lambdas, where `i` is not defined).
  const rowUniform = (seed: number, side: number) =>
    `((cityHash64(number, ${seed}, ${side}) % 4294967291) + 0.5) / 4294967291`;
  const score = (current: 0 | 1) =>
    `round(pow(${rowUniform(5, current)}, ${current ? 0.8 : 1}), 4)`;
  const prediction = (current: 0 | 1) =>
    opts.classifier ? score(current) : `round(randNormal(${current ? 104 : 100}, 15), 2)`;
  const label = opts.classifier ? `toFloat64(${rowUniform(6, 0)} < ${score(0)})` : 'NULL';
  await store.command(
    `INSERT INTO ${Tables.referenceRows} (model, version, reference_id, timestamp, num_features, cat_features, prediction_num, label_num, tags)
     SELECT ${model}, 'v1', 'bench', now64(3), ${ref.num}, ${ref.cat}, ${prediction(0)}, ${label},
            map('region', concat('r', toString(${perModel} % ${regions})))
     FROM numbers({rows:UInt64})`,
    { rows: opts.rows * models },
  );
  await store.command(
    `INSERT INTO ${Tables.predictions} (event_id, timestamp, model, version, num_features, cat_features, prediction_num, latency_ms, tags, request_id)
     SELECT generateUUIDv4(), fromUnixTimestamp64Milli({from:Int64} + intDiv(${perModel} * 3600000, {rows:UInt64}), 'UTC'),
            ${model}, 'v1', ${cur.num}, ${cur.cat}, ${prediction(1)}, round(randExponential(0.1), 2),
            map('region', concat('r', toString(${perModel} % ${regions}))), toString(number)
     FROM numbers({total:UInt64})`,
    { rows: opts.rows, total: opts.rows * models, from: opts.from },
  );
  if (models === 1) return;
  await store.command(
    // Labels received as the window closed: a pass after it finds none new to re-evaluate.
    `INSERT INTO ${Tables.labels} (model, event_id, request_id, label_num, timestamp, received_at)
     SELECT ${model}, NULL, toString(number), round(randNormal(104, 15), 2),
            fromUnixTimestamp64Milli({from:Int64} + 3600000, 'UTC') AS closed, closed
     FROM numbers({total:UInt64})`,
    { total: opts.rows * models, from: opts.from },
  );
}
