import type { EventKind } from '../../events/event-kinds';

export type Decoded = { ok: true; line: string } | { ok: false; error: string };

/**
 * One Kafka record to one JSON row line, or the reason it cannot be stored. Records are checked
 * against the same contract as the collector's input: the topic may also be written by others.
 */
export function decodeRecord(kind: EventKind, value: Buffer | null): Decoded {
  if (!value) return { ok: false, error: 'record has no value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `value is not JSON: ${(err as Error).message}` };
  }
  const result = kind.validate(parsed);
  if (!result.ok) return { ok: false, error: result.error };
  const event = result.value as { timestamp?: number };
  if (event.timestamp === undefined)
    return { ok: false, error: 'timestamp: required on the topic (the collector sets it)' };
  if (kind.name === 'prediction' && (parsed as { event_id?: string }).event_id === undefined) {
    return { ok: false, error: 'event_id: required on the topic (the collector sets it)' };
  }
  return { ok: true, line: JSON.stringify(kind.toRow(event as never)) };
}
