import { compress, uncompress } from 'snappy';

/**
 * Snappy for kafkajs, which ships only gzip. Snappy costs a fraction of gzip's CPU on the
 * collector, the broker (which decompresses batches to validate them) and the consumer, all of
 * which share the same cores in a small deployment; see docs/benchmarks.md for the measured gain.
 *
 * We write raw Snappy blocks, which brokers and other clients accept. We read both raw blocks and
 * the "xerial" stream framing that the Java client and librdkafka write: a 16-byte header
 * (magic, version, compatible version) followed by chunks, each a 4-byte big-endian length and a
 * raw Snappy block.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

export const snappyCodec = {
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    return compress(encoder.buffer);
  },

  async decompress(buffer: Buffer): Promise<Buffer> {
    if (!isXerial(buffer)) return (await uncompress(buffer)) as Buffer;
    const chunks: Buffer[] = [];
    let at = XERIAL_HEADER_BYTES;
    while (at < buffer.length) {
      if (at + 4 > buffer.length) throw new Error('snappy: truncated xerial chunk header');
      const size = buffer.readUInt32BE(at);
      at += 4;
      if (at + size > buffer.length) throw new Error('snappy: truncated xerial chunk');
      chunks.push((await uncompress(buffer.subarray(at, at + size))) as Buffer);
      at += size;
    }
    return Buffer.concat(chunks);
  },
};

function isXerial(buffer: Buffer): boolean {
  return (
    buffer.length >= XERIAL_HEADER_BYTES &&
    buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
  );
}
