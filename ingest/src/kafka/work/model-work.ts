import { Partitioners, type PartitionMetadata } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConnection } from '../client';
import { ReliableProducer } from '../client';
import { ensureWorkTopic } from './work-topic';
import type { WorkRole } from '../topics';

export interface ModelWorkOptions {
  conn: KafkaConnection;
  role: WorkRole;
  /** How long the group waits for a silent (killed) replica before its models move to others. */
  sessionTimeoutMs: number;
  partitions: number;
  replicationFactor: number;
  logger: Logger;
  /**
   * One model's due work, run by the replica that owns the model. It must call `checkpoint`
   * between steps: the checkpoint heartbeats, and throws once a rebalance has begun, so the model
   * is abandoned between two steps and never worked on by two replicas at once.
   */
  run(model: string, checkpoint: () => Promise<void>): Promise<void>;
}

export interface ModelWork {
  /** Puts models on the work topic, keyed by model (every replica announces what it sees). */
  announce(models: readonly string[]): Promise<void>;
  /** The work topic's partitions this replica owns now. */
  assigned(): number[];
  /**
   * Whether a model's partition is this replica's now (for work done outside the handler): false
   * from the moment a rebalance begins here until the group assigns again.
   */
  owns(model: string): boolean;
  stop(): Promise<void>;
}

/**
 * Replicas of a role share its models through Kafka consumer-group assignment, with no lock or
 * leader of our own. Every replica announces the models it sees on `<prefix>.work.<role>`, keyed
 * by model, so a model always lands on the same partition; the group gives each partition to one
 * replica, which runs the model's work inside its message handler.
 *
 * Why a model's work is never done twice at once: the group's (eager) rebalance completes only
 * once every member has rejoined, and kafkajs rejoins only between two messages; the handler's
 * checkpoint throws as soon as a rebalance begins, so the old owner stops before the new one can
 * start. The work itself is idempotent across owners (detection plans from the store), so a
 * message delivered again after a takeover only resumes it. A killed replica stops heartbeating
 * and its partitions move to the others after `sessionTimeoutMs`.
 */
export async function startModelWork(opts: ModelWorkOptions): Promise<ModelWork> {
  const { topic, group } = opts.conn.names.work(opts.role);
  const log = opts.logger.child({ component: 'model-work', role: opts.role });
  const partitions = await ensureWorkTopic(opts.conn, topic, opts);
  const partitionOf = modelPartitioner(topic, partitions);
  const producer = new ReliableProducer(opts.conn);
  const consumer = opts.conn.kafka.consumer({
    groupId: group,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(opts.sessionTimeoutMs / 5)),
    // A takeover waits for the old owner's current step: give it as long as a session.
    rebalanceTimeout: Math.max(60_000, opts.sessionTimeoutMs * 2),
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 1_000,
  });
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    log.info({ partitions: assigned, memberId: payload.memberId }, 'model work assigned');
  });
  // Eager rebalancing: this replica gives up every partition before it rejoins, so from the moment
  // it sees a rebalance it owns nothing until the group answers (work outside the handler stops).
  consumer.on(consumer.events.REBALANCING, () => {
    if (assigned.length > 0) log.info({ partitions: assigned }, 'model work revoked');
    assigned = [];
  });
  consumer.on(consumer.events.CRASH, () => {
    assigned = [];
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    // One message at a time: a model's work ends before the next message, and before a rejoin.
    partitionsConsumedConcurrently: 1,
    eachMessage: async ({ message, heartbeat, partition }) => {
      const model = message.key?.toString();
      if (!model) return;
      const started = Date.now();
      await opts.run(model, heartbeat);
      log.debug({ model, partition, ms: Date.now() - started }, 'model work done');
    },
  });
  return {
    async announce(models) {
      const at = new Date().toISOString();
      await producer.send(
        topic,
        models.map((model) => ({ key: model, value: JSON.stringify({ model, at }) })),
      );
    },
    assigned: () => assigned,
    owns: (model) => assigned.includes(partitionOf(model)),
    async stop() {
      assigned = [];
      await consumer.disconnect();
      await producer.close();
    },
  };
}

/** The partition the producer puts a model's announcements on (kafkajs' default partitioner). */
function modelPartitioner(
  topic: string,
  partitions: PartitionMetadata[],
): (model: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  return (model) =>
    partitioner({ topic, partitionMetadata: partitions, message: { key: model, value: null } });
}
