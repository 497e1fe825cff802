import type { InsertOptions, Store } from '@osprey/db';
import { describe, expect, it } from 'vitest';
import { BatchWriter, BufferFullError, type BatchWriterOptions } from './batch-writer';

/** A store that records inserts; unit tests may fake what integration tests run for real. */
function fakeStore(failures = 0) {
  const inserts: { lines: string[]; token?: string }[] = [];
  let toFail = failures;
  const store = {
    async insertJsonLines(_table: string, payload: Buffer, options?: InsertOptions) {
      await new Promise((r) => setTimeout(r, 5));
      inserts.push({ lines: payload.toString().split('\n'), token: options?.deduplicationToken });
      if (toFail-- > 0) throw new Error('storage down');
    },
  } as unknown as Store;
  return { store, inserts };
}

const options: BatchWriterOptions = {
  maxBatchRows: 100,
  lingerMs: 20,
  maxBufferedRows: 250,
  insertAttempts: 3,
  retryBaseMs: 1,
};
const lines = (n: number, tag = 'r') => Array.from({ length: n }, (_, i) => `{"${tag}":${i}}`);

describe('BatchWriter', () => {
  it('groups concurrent writes into one insert and resolves each after it', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', options);
    await Promise.all([
      writer.write(lines(10, 'a')),
      writer.write(lines(20, 'b')),
      writer.write(lines(5, 'c')),
    ]);
    expect(inserts).toHaveLength(1);
    expect(inserts[0]!.lines).toHaveLength(35);
  });

  it('never splits a request over two inserts and caps inserts at maxBatchRows', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', options);
    await Promise.all([writer.write(lines(60)), writer.write(lines(60)), writer.write(lines(60))]);
    expect(inserts.map((i) => i.lines.length)).toEqual([60, 60, 60]);
  });

  it('refuses with BufferFullError instead of growing without bound', async () => {
    const { store } = fakeStore();
    const writer = new BatchWriter(store, 't', options);
    const accepted = [writer.write(lines(100)), writer.write(lines(100))];
    await expect(writer.write(lines(100))).rejects.toBeInstanceOf(BufferFullError);
    await Promise.all(accepted);
    await expect(writer.write(lines(100))).resolves.toBeUndefined();
  });

  it('retries a failed insert with the same deduplication token', async () => {
    const { store, inserts } = fakeStore(2);
    const writer = new BatchWriter(store, 't', options);
    await writer.write(lines(3));
    expect(inserts).toHaveLength(3);
    expect(new Set(inserts.map((i) => i.token)).size).toBe(1);
  });

  it('rejects every waiting write when the insert keeps failing, and recovers after', async () => {
    const { store, inserts } = fakeStore(3);
    const writer = new BatchWriter(store, 't', options);
    const results = await Promise.allSettled([writer.write(lines(3)), writer.write(lines(4))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(writer.bufferedRows).toBe(0);
    await writer.write(lines(2));
    expect(inserts.at(-1)!.lines).toHaveLength(2);
  });

  it('flushes what is pending on close', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', { ...options, lingerMs: 60_000 });
    const pending = writer.write(lines(7));
    await writer.close();
    await pending;
    expect(inserts[0]!.lines).toHaveLength(7);
  });
});
