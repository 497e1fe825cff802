import { RecomputeJobs } from '@osprey/detectors';
import { runtime } from '@/server/runtime';

/** The process's recompute jobs (one per model at a time; progress lives in this process). */
export function recomputeJobs(): RecomputeJobs {
  const rt = runtime();
  rt.recompute ??= new RecomputeJobs(rt.store);
  return rt.recompute;
}
