import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKafka, groupLag, testKafka, uniquePrefix } from '../support/kafka';
import { checkLiveMirror } from '../support/live-mirror';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// `osprey start` in Kafka mode: the collector produces, the ingest consumer stores, and a live
// shadow mirror reads the same predictions topic in the process's own consumer group
// (<prefix>-shadow-<uuid>: every shadow-runner replica sees all the traffic).
let broker: string;
let prefix: string;
let osprey: OspreyProcess;

beforeAll(async () => {
  broker = await ensureKafka();
  prefix = uniquePrefix('shadow-live');
  osprey = await startOsprey({
    env: {
      KAFKA_BROKERS: broker,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_TOPIC_PARTITIONS: '2',
      OSPREY_DETECTORS: 'off',
      OSPREY_EP: 'cpu',
    },
  });
}, 180_000);
afterAll(() => osprey?.stop());

describe('live shadow mirror with Kafka', () => {
  it("mirrors new predictions from the topic in the process's group <prefix>-shadow-<uuid>", async () => {
    await checkLiveMirror(osprey, 'houses-kafka');
    // The group exists on the broker, one for this process, and has read everything produced
    // since it joined.
    const admin = testKafka(broker).admin();
    await admin.connect();
    const { groups } = await admin.listGroups().finally(() => admin.disconnect());
    const feeds = groups.map((g) => g.groupId).filter((g) => g.startsWith(`${prefix}-shadow-`));
    expect(feeds).toHaveLength(1);
    expect(await groupLag(broker, feeds[0]!, [`${prefix}.predictions`])).toBe(0);
  });
});
