import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, makeMlp, pythonOrt } from '../testing/python';
import { candidates, ORT_PROVIDER_NAMES } from './ep';
import { InferencePool } from './pool';
import { ModelLoadError } from './session';

const dir = mkdtempSync(join(tmpdir(), 'osprey-pool-'));
const pools: InferencePool[] = [];
function pool(...args: ConstructorParameters<typeof InferencePool>): InferencePool {
  const p = new InferencePool(...args);
  pools.push(p);
  return p;
}
afterAll(() => Promise.all(pools.map((p) => p.close())));

function houses(n: number): Float32Array {
  const x = new Float32Array(n * 6);
  for (let i = 0; i < n; i++)
    x.set(
      [1 + (i % 7), 1 + (i % 4), 30 + ((i * 37) % 160), (i * 13) % 90, 0.3 + (i % 20), i % 2],
      i * 6,
    );
  return x;
}

describe('InferencePool', () => {
  it('runs the gradient-boosted model in a worker with the same outputs as python onnxruntime', async () => {
    const p = pool({ ep: 'cpu', workers: 2 });
    const model = join(FIXTURE_MODELS, 'house_price_gbr.onnx');
    const loaded = await p.load('gbr', model);
    expect(loaded.signature.inputs).toEqual([
      { name: 'features', type: 'float32', shape: ['?', 6] },
    ]);
    expect(loaded.signature.outputs).toEqual([{ name: 'price', type: 'float32', shape: ['?', 1] }]);
    expect(loaded.placement.provider).toBe('cpu');
    expect(loaded.placement.nodes.CPUExecutionProvider).toBeGreaterThan(0);

    const x = houses(300);
    const expected = await pythonOrt(model, { features: { dims: [300, 6], data: x } });
    // Both workers answer (the pool spreads concurrent batches); each result matches Python's.
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        p.run('gbr', { features: { type: 'float32', dims: [300, 6], data: x.slice() } }),
      ),
    );
    for (const r of results) {
      const got = r.outputs.price!;
      expect(got.dims).toEqual([300, 1]);
      const want = expected.price!;
      for (let i = 0; i < want.length; i++)
        expect(Math.abs(Number(got.data[i]) - want[i]!)).toBeLessThanOrEqual(
          1e-6 * Math.abs(want[i]!),
        );
    }
  });

  it('runs workers as child processes when asked, with the same outputs, and replaces one that dies', async () => {
    const p = pool({ ep: 'cpu', workers: 2, isolation: 'process' });
    const model = join(FIXTURE_MODELS, 'house_price_gbr.onnx');
    await p.load('gbr', model);
    const x = houses(200);
    const expected = (await pythonOrt(model, { features: { dims: [200, 6], data: x } })).price!;
    const batch = () => p.run('gbr', { features: { type: 'float32', dims: [200, 6], data: x } });
    const results = await Promise.all([batch(), batch(), batch(), batch()]);
    const pids = new Set(results.map((r) => r.pid));
    expect(pids.size).toBe(2);
    expect(pids.has(process.pid)).toBe(false);
    for (const r of results)
      for (let i = 0; i < expected.length; i++)
        expect(Math.abs(Number(r.outputs.price!.data[i]) - expected[i]!)).toBeLessThanOrEqual(
          1e-6 * Math.abs(expected[i]!),
        );

    // A worker process killed from outside: its batch fails, a new process takes its place with
    // the model reopened, and the pool keeps answering.
    const victim = results[0]!.pid;
    process.kill(victim, 'SIGKILL');
    await expect
      .poll(async () => (await batch().catch(() => undefined))?.pid, { timeout: 15_000 })
      .not.toBe(victim);
    const after = await Promise.all([batch(), batch(), batch(), batch()]);
    expect(after.map((r) => r.pid)).not.toContain(victim);
    expect(new Set(after.map((r) => r.pid)).size).toBe(2);
  });

  it('auto settles on the first provider that really runs nodes and says why the others were refused', async () => {
    const loaded = await pool({ ep: 'auto' }).load(
      'clf',
      join(FIXTURE_MODELS, 'house_price_above_400k.onnx'),
    );
    const order = candidates('auto');
    const chosen = loaded.placement.provider;
    expect(loaded.attempts.map((a) => a.provider)).toEqual(order.slice(0, order.indexOf(chosen)));
    for (const a of loaded.attempts) expect(a.error.length).toBeGreaterThan(0);
    expect(loaded.placement.nodes[ORT_PROVIDER_NAMES[chosen]]).toBeGreaterThan(0);
    expect(loaded.signature.outputs.map((o) => [o.name, o.type])).toEqual([
      ['label', 'int64'],
      ['probabilities', 'float32'],
    ]);
    if (chosen === 'cpu') {
      // No usable accelerator here: an explicit request for one fails loudly instead of falling back.
      await expect(
        pool({ ep: 'webgpu' }).load('x', join(FIXTURE_MODELS, 'house_price_linear.onnx')),
      ).rejects.toThrow(/cannot open the model \(webgpu: /);
    }
  });

  it('refuses a file that is not a loadable ONNX model with a ModelLoadError', async () => {
    const path = join(dir, 'broken.onnx');
    writeFileSync(path, Buffer.from('this is not a protobuf'));
    const error = await pool({ ep: 'cpu' })
      .load('broken', path)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/cannot open the model \(cpu: .*protobuf/i);
  });

  it('keeps the event loop free while a large batch runs', async () => {
    const mlp = join(dir, 'mlp.onnx');
    await makeMlp(mlp);
    const p = pool({ ep: 'cpu' });
    await p.load('mlp', mlp);
    const rows = 8192;
    const data = Float32Array.from(
      { length: rows * 32 },
      (_, i) => ((i * 7919) % 1000) / 1000 - 0.5,
    );
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 2);
    const r = await p.run('mlp', { features: { type: 'float32', dims: [rows, 32], data } });
    clearInterval(timer);
    expect(r.outputs.score!.dims).toEqual([rows, 1]);
    expect(r.runMs).toBeGreaterThan(30);
    // Were run() on this thread, no timer could fire for the whole batch.
    expect(maxGap).toBeLessThan(r.runMs / 2);
  });
});
