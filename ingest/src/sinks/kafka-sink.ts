import { rowLine, type EventKind, type Normalized } from '../events/event-kinds';
import type { OutgoingRecord, ReliableProducer } from '../kafka/client';
import { RECORD_HEADERS, ROWS_FORMAT } from '../kafka/topics';
import type { RefusedRow } from '../writer/isolate';
import { SinkUnavailableError, type EventSink } from './event-sink';

/**
 * Distributed mode: accepted events go to their topic as table rows (`rows/1`, see topics.ts),
 * a few records per model per request, keyed by model, and the collector answers
 * once Kafka acknowledged them (acks=all, idempotent producer). A broker that cannot be reached
 * becomes a 503 the SDK retries — never a silent drop.
 */
export class KafkaSink implements EventSink {
  readonly name = 'kafka' as const;

  constructor(private readonly producer: ReliableProducer) {}

  /** Not async: the events become rows now and are not referenced while Kafka acknowledges. */
  write(kind: EventKind, events: readonly Normalized<unknown>[]): Promise<RefusedRow[]> {
    const byKey = new Map<string, Normalized<unknown>[]>();
    for (const e of events) {
      const key = kind.key(e);
      const group = byKey.get(key);
      if (group) group.push(e);
      else byKey.set(key, [e]);
    }
    return this.send(
      kind,
      [...byKey].flatMap(([key, group]) => rowRecords(kind, key, group)),
    );
  }

  private async send(kind: EventKind, records: OutgoingRecord[]): Promise<RefusedRow[]> {
    try {
      await this.producer.send(this.producer.names.topicOf(kind.name), records);
      return [];
    } catch (err) {
      throw new SinkUnavailableError(
        `Kafka did not acknowledge the events: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  isFull(): boolean {
    return false;
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

/**
 * Rows of a record, before compression: a few hundred events, far below any broker limit. Counted
 * in UTF-16 code units, which is cheaper than UTF-8 bytes and at most a third of them, so a record
 * stays under 768 KiB even when every character is non-ASCII (the broker's default limit is 1 MiB).
 */
const RECORD_MAX_CHARS = 256 * 1024;

/** One model's events as `rows/1` records, cut at RECORD_MAX_CHARS. */
function rowRecords(
  kind: EventKind,
  key: string,
  events: readonly Normalized<unknown>[],
): OutgoingRecord[] {
  const records: OutgoingRecord[] = [];
  let lines: string[] = [];
  let chars = 0;
  const cut = () => {
    records.push({
      key,
      value: lines.join('\n'),
      headers: { [RECORD_HEADERS.format]: ROWS_FORMAT, [RECORD_HEADERS.rows]: `${lines.length}` },
    });
    lines = [];
    chars = 0;
  };
  for (const e of events) {
    const line = rowLine(kind, e);
    const size = line.length + 1;
    if (lines.length > 0 && chars + size > RECORD_MAX_CHARS) cut();
    lines.push(line);
    chars += size;
  }
  if (lines.length > 0) cut();
  return records;
}
