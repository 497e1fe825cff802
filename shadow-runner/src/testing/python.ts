import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export { FIXTURE_MODELS, HOUSE_FEATURES } from '../fixtures';
const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');

/** Python onnxruntime's outputs for float32 inputs: the independent side of a comparison. */
export async function pythonOrt(
  model: string,
  inputs: Record<string, { dims: number[]; data: ArrayLike<number> }>,
  /** Run the rows this many at a time (as a replay's batches); default all at once. */
  batch?: number,
): Promise<Record<string, number[]>> {
  const payload = Object.fromEntries(
    Object.entries(inputs).map(([k, t]) => [k, { dims: t.dims, data: Array.from(t.data) }]),
  );
  const child = execFile(PYTHON, [join(REPO_ROOT, 'shadow-runner', 'fixtures', 'ort_outputs.py')], {
    maxBuffer: 256 << 20,
    timeout: 60_000,
  });
  const out = new Promise<string>((resolve, reject) => {
    let text = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(err))));
  });
  child.stdin!.end(JSON.stringify({ model, inputs: payload, batch }));
  return JSON.parse(await out) as Record<string, number[]>;
}

/** The ~1M-parameter benchmark MLP (32 float inputs), written to `path`. */
export async function makeMlp(path: string): Promise<void> {
  await run(
    PYTHON,
    [join(REPO_ROOT, 'shadow-runner', 'fixtures', 'make_models.py'), '--mlp', path],
    {
      timeout: 120_000,
    },
  );
}
