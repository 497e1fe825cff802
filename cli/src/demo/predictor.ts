import {
  InferencePool,
  defaultTuning,
  type ModelRegistry,
  type ModelVersion,
} from '@osprey/shadow-runner';

type Features = Record<string, number | string | boolean | null>;

/**
 * The demo service's model server: each version's registered ONNX artifact in an onnxruntime
 * session (the shadow runner's worker pool, on the CPU, without spinning threads), fed from the
 * logged features through the version's input spec — so what the demo logs is what the model
 * predicts, and a shadow run's comparison with production is meaningful.
 */
export class Predictor {
  private readonly pool = new InferencePool({
    ep: 'cpu',
    workers: 1,
    tuning: defaultTuning(1, false),
  });
  private readonly loaded = new Map<string, Promise<ModelVersion>>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly model: string,
  ) {}

  /** Opens a version's session (once); fails when the version is unknown or will not load. */
  load(version: string): Promise<ModelVersion> {
    let loading = this.loaded.get(version);
    if (!loading) {
      loading = this.registry.require(this.model, version).then(async (v) => {
        await this.pool.load(key(v), this.registry.artifacts.pathOf(v.sha256));
        return v;
      });
      loading.catch(() => this.loaded.delete(version));
      this.loaded.set(version, loading);
    }
    return loading;
  }

  /** The version's first output, first column, for each row (a number as is, true/false as 1/0). */
  async predict(version: string, rows: readonly Features[]): Promise<number[]> {
    if (rows.length === 0) return [];
    const v = await this.load(version);
    const feeds: Parameters<InferencePool['run']>[1] = {};
    for (const input of v.input_spec.inputs) {
      const k = input.features.length;
      const data = new Float32Array(rows.length * k);
      rows.forEach((row, i) =>
        input.features.forEach((f, j) => (data[i * k + j] = numeric(row[f]))),
      );
      const declared = v.signature.inputs.find((s) => s.name === input.name);
      const dims = declared?.shape.length === 1 ? [rows.length] : [rows.length, k];
      feeds[input.name] = { type: 'float32', dims, data };
    }
    const { outputs } = await this.pool.run(key(v), feeds);
    const first = outputs[v.signature.outputs[0]!.name]!;
    const width = first.dims.length > 1 ? first.dims[1]! : 1;
    return rows.map((_, i) => Number(first.data[i * width]));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const key = (v: ModelVersion) => `demo:${v.version}:${v.sha256}`;

function numeric(value: Features[string] | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return NaN;
}
