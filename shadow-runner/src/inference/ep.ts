import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';

/** What OSPREY_EP asks for. */
export const EP_CHOICES = ['auto', 'cuda', 'webgpu', 'cpu'] as const;
export type EpChoice = (typeof EP_CHOICES)[number];
/** An execution provider a session can run on. */
export type Provider = Exclude<EpChoice, 'auto'>;

/** ONNX Runtime's names, as they appear in a session profile's `provider` field. */
export const ORT_PROVIDER_NAMES: Record<Provider, string> = {
  cuda: 'CUDAExecutionProvider',
  webgpu: 'WebGpuExecutionProvider',
  cpu: 'CPUExecutionProvider',
};

/**
 * The providers to try, in order. `auto` falls through cuda → webgpu → cpu; an explicit choice is
 * tried alone, so a machine that cannot honour it fails loudly instead of silently running on CPU.
 */
export function candidates(choice: EpChoice): Provider[] {
  return choice === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [choice];
}

/** WebGPU EP options (onnxruntime-node passes these through; see sessionOptions). */
export type WebGpuOptions = Omit<
  InferenceSession.WebGpuExecutionProviderOption,
  'name' | 'device' | 'forceCpuNodeNames'
>;

export interface SessionTuning {
  /** Threads of ONNX Runtime's intra-op pool in one session. */
  intraOpThreads: number;
  /** Let idle intra-op threads spin (default, as ORT) instead of sleeping; see sessionOptions. */
  spin?: boolean;
  /** Options of the WebGPU EP when a session runs on it. */
  webgpu?: WebGpuOptions;
}

/** One session per worker; the workers share the cores, so each gets its share of them. */
export function defaultTuning(workers: number, spin = true): SessionTuning {
  return {
    intraOpThreads: Math.max(1, Math.floor(availableParallelism() / Math.max(1, workers))),
    spin,
  };
}

/**
 * Session options, chosen for batched replay of tabular and small dense models:
 * - graphOptimizationLevel 'all': constant folding, Gemm/activation fusions and (CPU) layout
 *   transforms; the model is loaded once per run and run thousands of times, so the extra
 *   optimisation time at load pays for itself.
 * - executionMode 'sequential', interOpNumThreads 1: fixture and typical registry models are
 *   chains of operators; the parallel executor only helps graphs with independent branches and
 *   costs a scheduling hop per node.
 * - intraOpNumThreads: the worker's share of the cores (see defaultTuning), so a pool of N workers
 *   does not oversubscribe the machine.
 * - intra_op.allow_spinning: on by default (ORT's default). Between the operators of a run and
 *   right after it, intra-op threads spin briefly instead of sleeping: measured on 2 cores with
 *   the gradient-boosted fixture at batch 4096, 4.0M rows/s spinning against 2.8M sleeping
 *   (python ORT: 4.8M). OSPREY_INFERENCE_SPIN=off trades that for less CPU burnt where the runner
 *   shares a small machine with the collector and ClickHouse.
 * - enableCpuMemArena / enableMemPattern on (ORT's defaults, stated): replay pages have the same
 *   batch size, so the memory plan of the first batch is reused.
 * - logSeverityLevel 3: ORT writes to native stderr, outside pino; only its errors are wanted.
 * - enableProfiling only for the short-lived probe session that verifies placement (probe.ts).
 */
export function sessionOptions(
  provider: Provider,
  tuning: SessionTuning,
  profilePrefix?: string,
): InferenceSession.SessionOptions {
  return {
    executionProviders: [
      provider === 'cuda'
        ? { name: 'cuda', deviceId: 0 }
        : provider === 'webgpu'
          ? { name: 'webgpu', ...tuning.webgpu }
          : provider,
    ],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    intraOpNumThreads: tuning.intraOpThreads,
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
    extra: { session: { 'intra_op.allow_spinning': tuning.spin === false ? '0' : '1' } },
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
  };
}
