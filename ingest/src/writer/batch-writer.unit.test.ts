import { StoreError, type InsertOptions, type Store } from '@osprey/db';
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
      // What ClickHouse answers for a lone surrogate escape: the whole insert is refused.
      if (payload.includes('\\ud800'))
        throw new StoreError(
          'Code: 26. DB::Exception: Cannot parse escape sequence: \\uD800: (at row 3)\n: While executing ParallelParsingBlockInputFormat. (CANNOT_PARSE_ESCAPE_SEQUENCE)',
        );
    },
  } as unknown as Store;
  return { store, inserts };
}

const options: BatchWriterOptions = {
  maxBatchRows: 100,
  minIntervalMs: 20,
  maxBufferedRows: 250,
  insertAttempts: 3,
  retryBaseMs: 1,
};
const lines = (n: number, tag = 'r') => Array.from({ length: n }, (_, i) => `{"${tag}":${i}}`);

describe('BatchWriter', () => {
  it('inserts at once when idle, and groups the writes that arrive meanwhile into the next insert', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', undefined, options);
    const started = performance.now();
    await Promise.all([
      writer.write(lines(10, 'a')),
      writer.write(lines(20, 'b')),
      writer.write(lines(5, 'c')),
    ]);
    expect(inserts.map((i) => i.lines.length)).toEqual([10, 25]);
    // the second insert waited for the minimum interval after the first had started
    expect(performance.now() - started).toBeGreaterThanOrEqual(options.minIntervalMs);
  });

  it('never splits a request over two inserts and caps inserts at maxBatchRows', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', undefined, options);
    await Promise.all([writer.write(lines(60)), writer.write(lines(60)), writer.write(lines(60))]);
    expect(inserts.map((i) => i.lines.length)).toEqual([60, 60, 60]);
  });

  it('refuses with BufferFullError instead of growing without bound', async () => {
    const { store } = fakeStore();
    const writer = new BatchWriter(store, 't', undefined, options);
    const accepted = [writer.write(lines(100)), writer.write(lines(100))];
    await expect(writer.write(lines(100))).rejects.toBeInstanceOf(BufferFullError);
    await Promise.all(accepted);
    await expect(writer.write(lines(100))).resolves.toEqual([]);
  });

  it('retries a failed insert with the same deduplication token', async () => {
    const { store, inserts } = fakeStore(2);
    const writer = new BatchWriter(store, 't', undefined, options);
    await writer.write(lines(3));
    expect(inserts).toHaveLength(3);
    expect(new Set(inserts.map((i) => i.token)).size).toBe(1);
  });

  it('rejects the writes of an insert that keeps failing; the next insert goes on', async () => {
    const { store, inserts } = fakeStore(3);
    const writer = new BatchWriter(store, 't', undefined, options);
    const results = await Promise.allSettled([writer.write(lines(3)), writer.write(lines(4))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('storage down'));
    expect(inserts.map((i) => i.lines.length)).toEqual([3, 3, 3, 4]);
    expect(writer.bufferedRows).toBe(0);
  });

  it('flushes what is pending on close', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', undefined, { ...options, minIntervalMs: 60_000 });
    await writer.write(lines(1));
    const pending = writer.write(lines(7)); // would wait a minute for the interval
    await writer.close();
    await pending;
    expect(inserts.map((i) => i.lines.length)).toEqual([1, 7]);
  });

  it('stores every row but the refused ones, and tells each write which of its own were refused', async () => {
    const { store, inserts } = fakeStore();
    const writer = new BatchWriter(store, 't', undefined, { ...options, minIntervalMs: 60_000 });
    await writer.write(lines(1)); // the next writes wait together for one insert
    const bad = (i: number) => `{"v":"\\ud800","i":${i}}`;
    const a = lines(5, 'a');
    const b = [...lines(3, 'b'), bad(0), ...lines(2, 'b2'), bad(1)];
    const c = lines(4, 'c');
    const results = [writer.write(a), writer.write(b), writer.write(c)];
    await writer.close();
    const refusal =
      'Code: 26. DB::Exception: Cannot parse escape sequence: \\uD800 (CANNOT_PARSE_ESCAPE_SEQUENCE)';
    expect(await Promise.all(results)).toEqual([
      [],
      [
        { index: 3, error: refusal },
        { index: 6, error: refusal },
      ],
      [],
    ]);
    const stored = inserts.filter((i) => !i.lines.some((l) => l.includes('\\ud800')));
    expect(stored.flatMap((i) => i.lines).sort()).toEqual(
      [...lines(1), ...a, ...b, ...c].filter((l) => !l.includes('ud800')).sort(),
    );
    // each range of the batch has a token of its own, derived from the batch's
    const tokens = inserts.slice(1).map((i) => i.token!);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens.every((t) => t.startsWith(tokens[0]!))).toBe(true);
  });
});
