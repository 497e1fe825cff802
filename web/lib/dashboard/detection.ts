import type { DetectionProgress } from '@osprey/detectors';
import type { WebRuntime } from '@/server/runtime';

/**
 * The detector scheduler's progress when it runs in this process (`osprey start`); null where
 * detection runs elsewhere (`osprey detectors`) or is off.
 */
export function detectionProgress(rt: WebRuntime): DetectionProgress | null {
  return rt.detection?.progress() ?? null;
}

/** Whether drift and alerts are still incomplete because windows are being detected. */
export function detectionIncomplete(p: DetectionProgress | null): boolean {
  return p !== null && p.state !== 'current';
}
