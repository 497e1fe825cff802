import type { Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { AlertTransition } from '../alerts/engine/engine';
import { loadSettings } from '../settings/model-settings';
import { windowsOverlapping } from '../window';
import { detectWindow, type AlertEvaluator, type Detection } from './detect';

/** Windows one synchronous detection may compute (a week of hourly windows); more is a recompute. */
export const MAX_DETECT_WINDOWS = 168;

export type WindowDetection = Detection & { segments: Detection[]; alerts?: AlertTransition[] };

export interface RangeDetection {
  model: string;
  version: string | null;
  /** The model's window length: the range was split into (widened to) windows of this length. */
  window_minutes: number;
  windows: WindowDetection[];
  /** Every window's alert transitions, oldest window first. */
  alerts?: AlertTransition[];
}

/** A range that splits into more windows than one detection computes. */
export class TooManyWindowsError extends Error {
  constructor(
    readonly windows: number,
    readonly minutes: number,
  ) {
    super(
      `covers ${windows} windows of ${minutes} min; one detection computes at most ${MAX_DETECT_WINDOWS} (POST …/recompute redoes longer ranges in the background)`,
    );
  }
}

/**
 * Detects a range as the model's own windows: [from, to) is widened to the edges of the model's
 * windows (`window_minutes`) and each of them is (re)computed and stored like the scheduler's. A
 * range is never stored as one window of its own, so every reader sees one length of window.
 */
export async function detectRange(
  store: Store,
  opts: {
    model: string;
    from: number;
    to: number;
    version?: string;
    logger?: Logger;
    alerts?: AlertEvaluator;
  },
): Promise<RangeDetection> {
  const { window_minutes } = await loadSettings(store, opts.model);
  const windows = windowsOverlapping(opts.from, opts.to, window_minutes);
  if (windows.length > MAX_DETECT_WINDOWS)
    throw new TooManyWindowsError(windows.length, window_minutes);
  const detections: WindowDetection[] = [];
  for (const window of windows) detections.push(await detectWindow(store, { ...opts, window }));
  const alerts = detections.flatMap((d) => d.alerts ?? []);
  return {
    model: opts.model,
    version: opts.version ?? null,
    window_minutes,
    windows: detections,
    ...(opts.alerts && opts.version === undefined ? { alerts } : {}),
  };
}
