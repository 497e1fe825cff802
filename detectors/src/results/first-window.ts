import { Tables, type Store } from '@osprey/db';
import { loadSettings } from '../settings/model-settings';
import { windowAt, type Window } from '../window';

/** A model that has predictions but no detected window yet: when its first window is evaluated. */
export interface FirstWindow {
  window: Window;
  /** The window's end plus the model's grace: when the scheduler detects it. */
  closes_at: number;
  window_minutes: number;
  grace_minutes: number;
}

/**
 * When a new model's first window will be evaluated, from its first prediction and its settings;
 * undefined once any window of it was detected (or when it has no predictions).
 */
export async function firstWindow(store: Store, model: string): Promise<FirstWindow | undefined> {
  const detected = await store.query<{ n: number | string }>(
    `SELECT count() AS n FROM ${Tables.detectorRuns}
     WHERE model = {model:String} AND detector = 'drift' AND segment = ''`,
    { model },
  );
  if (Number(detected[0]?.n ?? 0) > 0) return undefined;
  const [first] = await store.query<{ t: string }>(
    `SELECT toUnixTimestamp64Milli(min(timestamp)) AS t FROM ${Tables.predictions}
     WHERE model = {model:String} HAVING count() > 0`,
    { model },
  );
  if (!first) return undefined;
  const settings = await loadSettings(store, model);
  const window = windowAt(Number(first.t), settings.window_minutes);
  return {
    window,
    closes_at: window.to + settings.grace_minutes * 60_000,
    window_minutes: settings.window_minutes,
    grace_minutes: settings.grace_minutes,
  };
}
