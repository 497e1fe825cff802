import { rowLine, type EventKind, type Normalized } from '../events/event-kinds';
import type { ReliableProducer } from '../kafka/client';
import { RECORD_HEADERS, ROWS_FORMAT } from '../kafka/topics';
import { SinkUnavailableError, type EventSink } from './event-sink';

/**
 * Distributed mode: accepted events go to their topic as table rows (`rows/1`, see topics.ts),
 * one record per model per request, keyed by model, and the collector answers
 * once Kafka acknowledged them (acks=all, idempotent producer). A broker that cannot be reached
 * becomes a 503 the SDK retries — never a silent drop.
 */
export class KafkaSink implements EventSink {
  readonly name = 'kafka' as const;

  constructor(private readonly producer: ReliableProducer) {}

  async write(kind: EventKind, events: readonly Normalized<unknown>[]): Promise<void> {
    try {
      const byKey = new Map<string, Normalized<unknown>[]>();
      for (const e of events) {
        const key = kind.key(e);
        const group = byKey.get(key);
        if (group) group.push(e);
        else byKey.set(key, [e]);
      }
      await this.producer.send(
        this.producer.names.topicOf(kind.name),
        [...byKey].map(([key, group]) => ({
          key,
          value: group.map((e) => rowLine(kind, e)).join('\n'),
          headers: {
            [RECORD_HEADERS.format]: ROWS_FORMAT,
            [RECORD_HEADERS.rows]: `${group.length}`,
          },
        })),
      );
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
