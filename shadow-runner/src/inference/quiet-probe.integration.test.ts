import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODELS } from '../testing/python';
import { machineProbe, missingFor } from './availability';

const SCRIPT = `
import { InferencePool } from '${pathToFileURL(join(import.meta.dirname, 'pool.ts')).href}';
const pool = new InferencePool({ ep: 'auto' });
const loaded = await pool.load('m', process.argv[2]);
await pool.close();
console.log(JSON.stringify({ placement: loaded.placement, attempts: loaded.attempts }));
`;

/**
 * A process of its own: what native code writes to stderr cannot be seen from inside vitest.
 * On a healthy machine without CUDA's provider or a Vulkan loader, auto must not try them: no red
 * onnxruntime error, no Dawn warning, only the JSON the script prints.
 */
describe('auto on this machine', () => {
  it('opens a model without native noise on stderr, naming the providers it skipped', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'osprey-quiet-probe-')), 'open-auto.mts');
    writeFileSync(script, SCRIPT);
    const model = join(FIXTURE_MODELS, 'house_price_linear.onnx');
    const out = spawnSync(process.execPath, ['--import', 'tsx', script, model], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.status, out.stderr).toBe(0);
    const { attempts } = JSON.parse(out.stdout) as {
      attempts: { provider: string; error: string }[];
    };
    const probe = machineProbe();
    for (const provider of ['cuda', 'webgpu'] as const) {
      const missing = missingFor(provider, probe);
      if (!missing) continue; // present here: trying it is right, and may say what it likes
      expect(attempts).toContainEqual({ provider, error: `skipped: ${missing}` });
    }
    if (missingFor('cuda', probe))
      expect(out.stderr).not.toContain('libonnxruntime_providers_shared');
    if (missingFor('webgpu', probe)) expect(out.stderr).not.toMatch(/Vulkan/i);
    expect(out.stderr).not.toMatch(/onnxruntime|\[E:/);
  }, 90_000);
});
