import { waitForLeaders, type KafkaConnection } from '../client';

/**
 * Creates a role's work topic when missing: compacted (the latest announcement of each model is
 * all that matters), with as many partitions as the event topics, the most replicas that can
 * share the role's models.
 */
export async function ensureWorkTopic(
  conn: KafkaConnection,
  topic: string,
  opts: { partitions: number; replicationFactor: number },
): Promise<void> {
  const admin = conn.kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) return;
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
  } finally {
    await admin.disconnect();
  }
}
