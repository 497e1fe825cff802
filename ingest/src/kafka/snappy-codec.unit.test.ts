import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import { snappyCodec } from './snappy-codec';

describe('the snappy codec', () => {
  const text = Buffer.from('osprey '.repeat(5_000));

  it('round-trips what it writes', async () => {
    const packed = await snappyCodec.compress({ buffer: text });
    expect(packed.length).toBeLessThan(text.length / 10);
    expect(await snappyCodec.decompress(packed)).toEqual(text);
  });

  it('reads the xerial framing of the Java client and librdkafka', async () => {
    const header = Buffer.from([
      0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1,
    ]);
    const chunk = (b: Buffer) => {
      const block = compressSync(b) as Buffer;
      const size = Buffer.alloc(4);
      size.writeUInt32BE(block.length);
      return [size, block];
    };
    const framed = Buffer.concat([
      header,
      ...chunk(text.subarray(0, 1_000)),
      ...chunk(text.subarray(1_000)),
    ]);
    expect(await snappyCodec.decompress(framed)).toEqual(text);
    await expect(snappyCodec.decompress(framed.subarray(0, framed.length - 3))).rejects.toThrow(
      /truncated xerial chunk/,
    );
  });
});
