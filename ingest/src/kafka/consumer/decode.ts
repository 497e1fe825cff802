import type { EventKind } from '../../events/event-kinds';

/** A record's events: rows to store, and what could not be stored with the reason. */
export interface DecodedRecord {
  lines: string[];
  dead: { value: Buffer; error: string; index?: number }[];
}

/**
 * One Kafka record to JSON row lines. A record holds one event (a JSON object) or several of one
 * model (a JSON array, as the collector writes them: one record per model per request). Every
 * event is checked against the same contract as the collector's input, since the topic may also be
 * written by others; a bad event is dead-lettered alone and its neighbours are still stored.
 */
export function decodeRecord(kind: EventKind, value: Buffer | null): DecodedRecord {
  const out: DecodedRecord = { lines: [], dead: [] };
  if (!value) {
    out.dead.push({ value: Buffer.alloc(0), error: 'record has no value' });
    return out;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err) {
    out.dead.push({ value, error: `value is not JSON: ${(err as Error).message}` });
    return out;
  }
  if (!Array.isArray(parsed)) {
    const error = decodeEvent(kind, parsed, out.lines);
    if (error) out.dead.push({ value, error });
    return out;
  }
  parsed.forEach((item, index) => {
    const error = decodeEvent(kind, item, out.lines);
    if (error) out.dead.push({ value: Buffer.from(JSON.stringify(item) ?? 'null'), error, index });
  });
  return out;
}

/** Appends the event's row line, or returns why it cannot be stored. */
function decodeEvent(kind: EventKind, input: unknown, lines: string[]): string | undefined {
  const result = kind.validate(input);
  if (!result.ok) return result.error;
  const event = result.value as { timestamp?: number; event_id?: string };
  if (event.timestamp === undefined)
    return 'timestamp: required on the topic (the collector sets it)';
  if (kind.name === 'prediction' && event.event_id === undefined) {
    return 'event_id: required on the topic (the collector sets it)';
  }
  lines.push(JSON.stringify(kind.toRow(event as never)));
  return undefined;
}
