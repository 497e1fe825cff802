import type { KafkaMessage } from 'kafkajs';
import { rowLine, type EventKind } from '../../events/event-kinds';
import { mayHoldLoneSurrogates, repairEvent } from '../../events/well-formed';
import { RECORD_HEADERS, ROWS_FORMAT } from '../topics';

export interface DeadRecord {
  value: Buffer;
  error: string;
  /** For a record holding several events: which one. */
  index?: number;
}

/** A record's rows to store, as JSON lines, and what could not be stored with the reason. */
export interface DecodedRecord {
  body?: Buffer;
  rows: number;
  dead: DeadRecord[];
}

/**
 * One Kafka record to the JSON lines of its table. A `rows/1` record (the collector's) already is
 * that and passes untouched. Any other record holds events of the wire contract — one (a JSON
 * object) or several (an array) — and every event is checked against the same contract as the
 * collector's input; a bad event is dead-lettered alone and its neighbours are still stored.
 */
export function decodeRecord(
  kind: EventKind,
  message: Pick<KafkaMessage, 'value' | 'headers'>,
): DecodedRecord {
  const { value } = message;
  if (!value) return { rows: 0, dead: [{ value: Buffer.alloc(0), error: 'record has no value' }] };
  const format = header(message, RECORD_HEADERS.format);
  if (format === ROWS_FORMAT) {
    const rows = Number(header(message, RECORD_HEADERS.rows));
    return { body: value, rows: Number.isSafeInteger(rows) && rows > 0 ? rows : 1, dead: [] };
  }
  if (format !== undefined) {
    const error = `${RECORD_HEADERS.format}: "${format}" is not a format this version reads (${ROWS_FORMAT}, or none for contract events)`;
    return { rows: 0, dead: [{ value, error }] };
  }
  return decodeEvents(kind, value);
}

function decodeEvents(kind: EventKind, value: Buffer): DecodedRecord {
  const lines: string[] = [];
  const dead: DeadRecord[] = [];
  let parsed: unknown;
  const text = value.toString('utf8');
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { rows: 0, dead: [{ value, error: `value is not JSON: ${(err as Error).message}` }] };
  }
  const repair = mayHoldLoneSurrogates(text);
  if (!Array.isArray(parsed)) {
    const error = decodeEvent(kind, parsed, lines, repair);
    if (error) dead.push({ value, error });
  } else {
    parsed.forEach((item, index) => {
      // A dead letter holds the event as it came, not as the repair left it.
      const asSent = repair ? JSON.stringify(item) : undefined;
      const error = decodeEvent(kind, item, lines, repair);
      if (error) {
        dead.push({ value: Buffer.from(asSent ?? JSON.stringify(item) ?? 'null'), error, index });
      }
    });
  }
  return {
    body: lines.length > 0 ? Buffer.from(lines.join('\n')) : undefined,
    rows: lines.length,
    dead,
  };
}

/** Appends the event's row line, or returns why it cannot be stored. */
function decodeEvent(
  kind: EventKind,
  input: unknown,
  lines: string[],
  repair: boolean,
): string | undefined {
  const collision = repair ? repairEvent(input).collision : undefined;
  if (collision) return collision;
  const result = kind.validate(input);
  if (!result.ok) return result.error;
  const event = result.value as { timestamp?: number; event_id?: string };
  if (event.timestamp === undefined)
    return 'timestamp: required on the topic (the collector sets it)';
  if (kind.name === 'prediction' && event.event_id === undefined) {
    return 'event_id: required on the topic (the collector sets it)';
  }
  lines.push(rowLine(kind, event as never));
  return undefined;
}

function header(message: Pick<KafkaMessage, 'headers'>, name: string): string | undefined {
  const v = message.headers?.[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v[0] : v)?.toString();
}
