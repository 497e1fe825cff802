import type { Provider } from '../inference/ep';

/**
 * Events per inference batch when a replay's request names none, by the execution provider its
 * candidate runs on. A GPU provider has a fixed cost per call (WebGPU ~1.6–2 ms on an H100: at
 * 1,024 events it is 1.4–1.8× the 16-core CPU, at 8,192 5–7×, docs/benchmarks.md), so it gets
 * large batches (8,192: measured; larger is untried); on the CPU, 4,096 (`BATCH=… npm run bench:shadow`).
 */
export const PROVIDER_BATCH: Readonly<Record<Provider, number>> = {
  cpu: 4096,
  cuda: 8192,
  webgpu: 8192,
};

export interface BatchChoice {
  size: number;
  /** Whether the request named it or the provider's default was taken. */
  chosen_by: 'request' | 'provider';
}

export function chooseBatch(requested: number | undefined, provider: Provider): BatchChoice {
  if (requested !== undefined) return { size: requested, chosen_by: 'request' };
  return { size: PROVIDER_BATCH[provider] ?? PROVIDER_BATCH.cpu, chosen_by: 'provider' };
}
