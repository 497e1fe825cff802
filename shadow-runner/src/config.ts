import { join } from 'node:path';
import { z } from 'zod';
import { EP_CHOICES } from './inference/ep';
import { ISOLATIONS } from './inference/transport';

/** The registry's and the shadow runner's settings (validated once per process by the launcher). */
export const shadowEnv = z.object({
  /** Where ONNX artifacts live, by sha256 (default <OSPREY_DATA_DIR>/artifacts); shared by every role that serves or runs models. */
  OSPREY_ARTIFACT_DIR: z.string().min(1).optional(),
  /** Largest model upload. */
  OSPREY_MAX_ARTIFACT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  /** Execution provider for shadow inference: auto tries cuda, then webgpu, then cpu. */
  OSPREY_EP: z
    .enum(EP_CHOICES, { error: `must be one of ${EP_CHOICES.join(', ')}` })
    .default('auto'),
  /** Inference worker threads (each holds a session of every model being run). */
  OSPREY_INFERENCE_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * process: each inference worker is a child process. Needed for more than one session of a
   * model on webgpu (one WebGPU session per process), and with it several batches on the GPU at once.
   */
  OSPREY_INFERENCE_ISOLATION: z.enum(ISOLATIONS).default('thread'),
  /** off: idle ONNX Runtime threads sleep at once instead of spinning (less CPU, slower batches). */
  OSPREY_INFERENCE_SPIN: z.enum(['on', 'off']).default('on'),
  /** OSPREY_SHADOW_RUNNER=off leaves queued shadow runs to an `osprey shadow-runner` elsewhere. */
  OSPREY_SHADOW_RUNNER: z.enum(['on', 'off']).default('on'),
  /** How often the shadow runner looks for queued runs created by other processes. */
  OSPREY_SHADOW_POLL_SECONDS: z.coerce.number().positive().default(2),
});
export type ShadowEnv = z.infer<typeof shadowEnv>;

export function artifactDir(env: ShadowEnv & { OSPREY_DATA_DIR: string }): string {
  return env.OSPREY_ARTIFACT_DIR ?? join(env.OSPREY_DATA_DIR, 'artifacts');
}
