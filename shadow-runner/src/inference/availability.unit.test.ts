import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CUDA_PROVIDER_FILES,
  VULKAN_LOADER,
  describePlan,
  planProviders,
  type MachineProbe,
} from './availability';

const ORT_DIR = '/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64';

function machine(files: string[], libraryDirs = ['/usr/lib/x86_64-linux-gnu']): MachineProbe {
  const present = new Set(files);
  return {
    exists: (p) => present.has(p),
    libraryDirs: () => libraryDirs,
    ortBinaryDir: () => ORT_DIR,
  };
}
const cudaFiles = CUDA_PROVIDER_FILES.map((f) => join(ORT_DIR, f));
const vulkan = join('/usr/lib/x86_64-linux-gnu', VULKAN_LOADER);

describe('planProviders', () => {
  it('auto on a CPU-only machine skips cuda and webgpu without trying them, saying why', () => {
    const plan = planProviders('auto', machine([]));
    expect(plan.providers).toEqual(['cpu']);
    expect(plan.skipped.map((s) => s.provider)).toEqual(['cuda', 'webgpu']);
    expect(plan.skipped[0]!.error).toMatch(
      /^skipped: onnxruntime-node's CUDA provider is not installed/,
    );
    expect(plan.skipped[0]!.error).toContain('libonnxruntime_providers_shared.so');
    expect(plan.skipped[1]!.error).toBe(
      "skipped: no Vulkan loader (libvulkan.so.1; Debian's libvulkan1) for WebGPU",
    );
  });

  it('auto keeps each accelerator whose libraries are there, in order', () => {
    expect(planProviders('auto', machine([...cudaFiles, vulkan])).providers).toEqual([
      'cuda',
      'webgpu',
      'cpu',
    ]);
    expect(planProviders('auto', machine([vulkan])).providers).toEqual(['webgpu', 'cpu']);
    // One of the two CUDA provider files is not enough.
    expect(planProviders('auto', machine([cudaFiles[0]!])).providers).toEqual(['cpu']);
  });

  it('finds the Vulkan loader in any directory the dynamic loader searches', () => {
    const dirs = ['/opt/gl/lib', '/usr/lib/x86_64-linux-gnu'];
    const plan = planProviders('auto', machine([join('/opt/gl/lib', VULKAN_LOADER)], dirs));
    expect(plan.providers).toEqual(['webgpu', 'cpu']);
  });

  it('tries cuda when onnxruntime-node cannot be located (a bundled build), as before', () => {
    const bundled = { ...machine([]), ortBinaryDir: () => undefined };
    expect(planProviders('auto', bundled).providers).toEqual(['cuda', 'cpu']);
  });

  it('an explicit choice is tried alone even when it cannot load, so it fails loudly', () => {
    expect(planProviders('cuda', machine([]))).toEqual({ providers: ['cuda'], skipped: [] });
    expect(planProviders('webgpu', machine([]))).toEqual({ providers: ['webgpu'], skipped: [] });
  });
});

describe('describePlan', () => {
  it('is one line naming the provider in use and why the others are not', () => {
    const line = describePlan('auto', planProviders('auto', machine([])));
    expect(line).not.toContain('\n');
    expect(line).toMatch(
      /^execution provider: cpu — OSPREY_EP=auto; cuda: onnxruntime-node's CUDA provider is not installed .*; webgpu: no Vulkan loader/,
    );
    expect(describePlan('auto', planProviders('auto', machine([vulkan])))).toMatch(
      /^execution provider: webgpu, then cpu \(the first that takes a model's nodes, verified when it loads\) — OSPREY_EP=auto; cuda: /,
    );
    expect(describePlan('cpu', planProviders('cpu', machine([])))).toBe(
      'execution provider: cpu — OSPREY_EP=cpu, tried alone',
    );
  });
});
