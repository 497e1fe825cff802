import type { Window } from '../../window';
import type { AlertState } from '../types';

/** What is kept per alert instance between windows (a row of alert_states). */
export interface InstanceState {
  state: AlertState;
  consecutive: number;
  value: number | null;
  window_start: number;
  window_end: number;
  active_since: number | null;
  fired_at: number | null;
  resolved_at: number | null;
  notified_state: '' | 'firing' | 'resolved';
  notified_at: number | null;
}

export interface StepInput {
  window: Window;
  value: number | null;
  breaching: boolean;
  /** Consecutive breaching windows needed to fire. */
  for: number;
  repeatMs: number;
  silenced: boolean;
  now: number;
}

export interface Step {
  next: InstanceState;
  /** The transition, when the state changed. */
  event?: AlertState;
  /** What to notify: a new or repeated firing, or a resolution. */
  notify?: { status: 'firing' | 'resolved'; repeat: boolean };
  /** The alert just started firing (the rule's action, if any, is due). */
  fired: boolean;
}

/**
 * One window's step of an alert instance (Alertmanager/Prometheus semantics): breaching windows
 * count up while pending and fire at `for` consecutive ones; a window that does not breach
 * resolves a firing alert (or clears a pending one). While firing, a notification is repeated
 * once `repeatMs` passed since the last; silenced alerts change state but notify nothing.
 * Undefined when this window (or a later one) was already evaluated: recomputing is idempotent.
 */
export function step(prev: InstanceState | undefined, input: StepInput): Step | undefined {
  if (prev && input.window.to <= prev.window_end) return undefined;
  const was = prev?.state ?? 'inactive';
  const adjacent = prev !== undefined && prev.window_end === input.window.from;
  const consecutive = input.breaching
    ? adjacent && prev.consecutive > 0
      ? prev.consecutive + 1
      : 1
    : 0;
  const next: InstanceState = {
    state: was,
    consecutive,
    value: input.value,
    window_start: input.window.from,
    window_end: input.window.to,
    active_since: prev?.active_since ?? null,
    fired_at: prev?.fired_at ?? null,
    resolved_at: prev?.resolved_at ?? null,
    notified_state: prev?.notified_state ?? '',
    notified_at: prev?.notified_at ?? null,
  };
  let fired = false;
  if (input.breaching) {
    if (was !== 'firing' && was !== 'pending') next.active_since = input.now;
    if (was !== 'firing' && consecutive >= input.for) {
      next.state = 'firing';
      next.fired_at = input.now;
      next.resolved_at = null;
      fired = true;
    } else if (was !== 'firing') next.state = 'pending';
  } else if (was === 'firing') {
    next.state = 'resolved';
    next.resolved_at = input.now;
  } else if (was === 'pending') {
    next.state = 'inactive';
    next.active_since = null;
  }
  const result: Step = { next, fired, ...(next.state !== was && { event: next.state }) };
  if (input.silenced) return result;
  if (next.state === 'firing') {
    const due =
      fired ||
      next.notified_state !== 'firing' ||
      input.now - (next.notified_at ?? 0) >= input.repeatMs;
    if (due)
      result.notify = { status: 'firing', repeat: !fired && next.notified_state === 'firing' };
  } else if (next.state === 'resolved' && was === 'firing' && next.notified_state === 'firing') {
    result.notify = { status: 'resolved', repeat: false };
  }
  if (result.notify) {
    next.notified_state = result.notify.status;
    next.notified_at = input.now;
  }
  return result;
}
