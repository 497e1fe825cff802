import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { predictionKind } from '../../events/event-kinds';
import { fromRowLine, type LiveFeed, type LivePrediction } from '../../live/live-prediction';
import type { KafkaConnection } from '../client';
import { decodeRecord } from './decode';

type Listener = (events: readonly LivePrediction[]) => void;

/**
 * New predictions read from the predictions topic for the shadow runner's live mirrors in Kafka
 * mode, in a consumer group of this process's own (`<prefix>-shadow-<uuid>`): every shadow-runner
 * replica sees all the traffic, whichever models it mirrors. The consumer runs while someone
 * listens. A mirror wants traffic from now on, not a backlog: on joining the group every
 * partition is moved to its end. Offsets are committed automatically (they show the feed's lag;
 * the broker forgets an empty group's offsets after offsets.retention.minutes). Records are
 * decoded exactly as the ingest consumer does; what it would dead-letter is skipped here.
 */
export class KafkaLiveFeed implements LiveFeed {
  private readonly listeners = new Set<Listener>();
  private consumer: Promise<Consumer> | undefined;
  private readonly groupId: string;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly logger: Logger,
  ) {
    this.groupId = `${conn.names.shadowGroup}-${randomUUID()}`;
  }

  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    try {
      await (this.consumer ??= this.start());
    } catch (err) {
      this.listeners.delete(listener);
      this.consumer = undefined;
      throw err;
    }
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) await this.close();
    };
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await (await consumer?.catch(() => undefined))?.disconnect();
  }

  private async start(): Promise<Consumer> {
    const { kafka, names } = this.conn;
    const log = this.logger.child({ component: 'shadow-live-feed' });
    const consumer = kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
    });
    // Records produced well before the feed started are a backlog the seek below skips; this
    // catches those a first fetch may return before the seek applies.
    const since = Date.now() - 60_000;
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [names.predictions], fromBeginning: false });
    await consumer.run({
      autoCommit: true,
      eachBatch: async ({ batch }) => {
        const events: LivePrediction[] = [];
        for (const message of batch.messages) {
          if (Number(message.timestamp) < since) continue;
          const { body } = decodeRecord(predictionKind, message);
          if (!body) continue;
          for (const line of body.toString('utf8').split('\n')) events.push(fromRowLine(line));
        }
        if (events.length === 0) return;
        for (const listener of this.listeners) {
          try {
            listener(events);
          } catch (err) {
            log.error({ err }, 'a live feed listener failed');
          }
        }
      },
    });
    await joined;
    // From the end: seek every partition of the topic (those not assigned here are ignored).
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const { partition, high } of await admin.fetchTopicOffsets(names.predictions))
        consumer.seek({ topic: names.predictions, partition, offset: high });
    } finally {
      await admin.disconnect();
    }
    log.info({ group: this.groupId, topic: names.predictions }, 'mirroring live predictions');
    return consumer;
  }
}
