import type { PartitionMetadata } from 'kafkajs';
import { waitForLeaders, type KafkaConnection } from '../client';

/**
 * Creates a role's work topic when missing: compacted (the latest announcement of each model is
 * all that matters), with as many partitions as the event topics, the most replicas that can
 * share the role's models. Answers the topic's partitions.
 */
export async function ensureWorkTopic(
  conn: KafkaConnection,
  topic: string,
  opts: { partitions: number; replicationFactor: number },
): Promise<PartitionMetadata[]> {
  const admin = conn.kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) await create();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions;
  } finally {
    await admin.disconnect();
  }

  async function create(): Promise<void> {
    await admin.createTopics({
      waitForLeaders: false, // see ensureTopics
      topics: [
        {
          topic,
          numPartitions: opts.partitions,
          replicationFactor: opts.replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    await waitForLeaders(admin, [topic]);
  }
}
