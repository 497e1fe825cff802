import { randomUUID } from 'node:crypto';
import { Tables, type Store } from '@osprey/db';
import type { AlertState } from '../types';
import { nextVersion } from '../version';
import type { InstanceState } from './transition';

/** What identifies an alert instance besides its fingerprint. */
export interface InstanceKey {
  fingerprint: string;
  rule_id: string;
  model: string;
  feature: string;
  segment: string;
}

const ms = (column: string) => `toUnixTimestamp64Milli(${column}) AS ${column}`;
const toNum = (v: string | number | null | undefined) =>
  v === null || v === undefined ? null : Number(v);

export async function loadStates(
  store: Store,
  fingerprints: readonly string[],
): Promise<Map<string, InstanceState>> {
  if (fingerprints.length === 0) return new Map();
  const rows = await store.query<Record<string, string | number | null>>(
    `SELECT fingerprint, state, consecutive, value, ${ms('window_start')}, ${ms('window_end')},
            ${ms('active_since')}, ${ms('fired_at')}, ${ms('resolved_at')}, notified_state, ${ms('notified_at')}
     FROM ${Tables.alertStates} FINAL WHERE fingerprint IN {fps:Array(String)}`,
    { fps: [...fingerprints] },
  );
  return new Map(
    rows.map((r) => [
      String(r.fingerprint),
      {
        state: r.state as AlertState,
        consecutive: Number(r.consecutive),
        value: toNum(r.value),
        window_start: Number(r.window_start),
        window_end: Number(r.window_end),
        active_since: toNum(r.active_since),
        fired_at: toNum(r.fired_at),
        resolved_at: toNum(r.resolved_at),
        notified_state: r.notified_state as InstanceState['notified_state'],
        notified_at: toNum(r.notified_at),
      },
    ]),
  );
}

export async function saveStates(
  store: Store,
  states: readonly (InstanceKey & InstanceState)[],
): Promise<void> {
  if (states.length === 0) return;
  await store.insert(
    Tables.alertStates,
    states.map((s) => ({ ...s, version: nextVersion(), updated_at: Date.now() })),
  );
}

export interface AlertEventRow extends InstanceKey {
  rule_name: string;
  metric: string;
  severity: string;
  event: AlertState | 'action';
  from_state: AlertState;
  value: number | null;
  op: string;
  threshold: number;
  window_start: number;
  window_end: number;
  silenced: boolean;
  details?: Record<string, unknown>;
}

export async function recordEvents(store: Store, events: readonly AlertEventRow[]): Promise<void> {
  if (events.length === 0) return;
  const now = Date.now();
  await store.insert(
    Tables.alertEvents,
    events.map((e) => ({
      ...e,
      timestamp: now,
      event_id: randomUUID(),
      details: JSON.stringify(e.details ?? {}),
    })),
  );
}
