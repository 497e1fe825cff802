import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { candidates, type EpChoice, type Provider } from './ep';
import type { Attempt } from './session';

/**
 * What the machine offers an accelerator, read from files only. Trying an EP whose libraries are
 * absent makes native code write to stderr, outside pino: onnxruntime a red error about
 * `libonnxruntime_providers_shared.so` for cuda, Dawn "Couldn't load Vulkan" for webgpu. On a
 * healthy CPU-only start that reads as a failure, so `auto` skips such a provider quietly, with
 * the reason, instead of trying it.
 */
export interface MachineProbe {
  exists(path: string): boolean;
  /** Directories the dynamic loader searches: LD_LIBRARY_PATH, ld.so.conf.d, the system ones. */
  libraryDirs(): string[];
  /**
   * The directory of onnxruntime-node's native binding (where its provider libraries must be);
   * undefined where it cannot be found (a bundled build): cuda is then tried, as before.
   */
  ortBinaryDir(): string | undefined;
}

export const VULKAN_LOADER = 'libvulkan.so.1';
export const CUDA_PROVIDER_FILES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
];

export interface ProviderPlan {
  /** The providers to try, in order (the probe at load still verifies placement). */
  providers: Provider[];
  /** Providers `auto` left out without trying them, and why. */
  skipped: Attempt[];
}

/** Why `provider` cannot work here, or undefined when it may (only trying it tells for sure). */
export function missingFor(provider: Provider, probe: MachineProbe): string | undefined {
  if (provider === 'cuda') {
    const dir = probe.ortBinaryDir();
    if (dir === undefined) return undefined;
    const absent = CUDA_PROVIDER_FILES.filter((f) => !probe.exists(join(dir, f)));
    if (absent.length > 0)
      return `onnxruntime-node's CUDA provider is not installed (no ${absent.join(', ')}; docs/shadow.md)`;
  }
  if (
    provider === 'webgpu' &&
    !probe.libraryDirs().some((d) => probe.exists(join(d, VULKAN_LOADER)))
  )
    return `no Vulkan loader (${VULKAN_LOADER}; Debian's libvulkan1) for WebGPU`;
  return undefined;
}

/**
 * The providers OSPREY_EP allows, less those `auto` knows cannot load here. An explicit choice is
 * kept as it is, so a machine that cannot honour it fails loudly when the model loads.
 */
export function planProviders(
  choice: EpChoice,
  probe: MachineProbe = machineProbe(),
): ProviderPlan {
  if (choice !== 'auto') return { providers: candidates(choice), skipped: [] };
  const providers: Provider[] = [];
  const skipped: Attempt[] = [];
  for (const provider of candidates(choice)) {
    const missing = provider === 'cpu' ? undefined : missingFor(provider, probe);
    if (missing) skipped.push({ provider, error: `skipped: ${missing}` });
    else providers.push(provider);
  }
  return { providers, skipped };
}

/** One line for the start-up log: the provider that will be used, and why the others are not. */
export function describePlan(choice: EpChoice, plan: ProviderPlan): string {
  const [first, ...others] = plan.providers;
  const use =
    others.length === 0
      ? `${first}`
      : `${plan.providers.join(', then ')} (the first that takes a model's nodes, verified when it loads)`;
  const why = plan.skipped.map((s) => `${s.provider}: ${s.error.replace(/^skipped: /, '')}`);
  const source = choice === 'auto' ? 'OSPREY_EP=auto' : `OSPREY_EP=${choice}, tried alone`;
  return `execution provider: ${use} — ${[source, ...why].join('; ')}`;
}

const SYSTEM_LIBRARY_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/lib',
  '/usr/lib',
  '/usr/local/lib',
];

/** The real machine. */
export function machineProbe(env: NodeJS.ProcessEnv = process.env): MachineProbe {
  return {
    exists: existsSync,
    libraryDirs: () => [
      ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
      ...ldSoConfDirs(),
      ...SYSTEM_LIBRARY_DIRS,
    ],
    ortBinaryDir: () => {
      try {
        const main = createRequire(import.meta.url).resolve('onnxruntime-node');
        return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
      } catch {
        return undefined;
      }
    },
  };
}

function ldSoConfDirs(): string[] {
  const confDir = '/etc/ld.so.conf.d';
  try {
    return readdirSync(confDir)
      .filter((f) => f.endsWith('.conf'))
      .flatMap((f) => readFileSync(join(confDir, f), 'utf8').split('\n'))
      .map((line) => line.trim())
      .filter((line) => line.startsWith('/'));
  } catch {
    return [];
  }
}
