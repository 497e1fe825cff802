import type { Admin } from 'kafkajs';
import type { KafkaConnection } from './client';

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  end: number;
  lag: number;
}

/** Where a consumer group stands on each partition of its topics. */
export async function consumerLag(
  conn: KafkaConnection,
  group: string,
  topics: string[],
): Promise<PartitionLag[]> {
  const admin = conn.kafka.admin();
  await admin.connect();
  try {
    return await lagOf(admin, group, topics);
  } finally {
    await admin.disconnect();
  }
}

/** consumerLag on an admin client that is already connected (for frequent polling). */
export async function lagOf(
  admin: Admin,
  group: string,
  topics: string[],
): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId: group, topics });
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const done = Math.max(
        0,
        Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1),
      );
      const high = Number(end.high);
      lags.push({ topic, partition: end.partition, committed: done, end: high, lag: high - done });
    }
  }
  return lags.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** The brokers the cluster reports, or throws when none answers. */
export async function describeBrokers(conn: KafkaConnection): Promise<string[]> {
  const admin = conn.kafka.admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    return brokers.map((b) => `${b.host}:${b.port}`);
  } finally {
    await admin.disconnect();
  }
}
