import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKafka, groupLag, uniquePrefix } from '../support/kafka';
import { checkLiveMirror } from '../support/live-mirror';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// `osprey start` in Kafka mode: the collector produces, the ingest consumer stores, and a live
// shadow mirror reads the same predictions topic in its own consumer group (<prefix>-shadow).
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
  it('mirrors new predictions from the topic in the group <prefix>-shadow', async () => {
    await checkLiveMirror(osprey, 'houses-kafka');
    // The group exists on the broker and has read everything produced since it joined.
    expect(await groupLag(broker, `${prefix}-shadow`, [`${prefix}.predictions`])).toBe(0);
  });
});
