import { Tables, type Store } from '@osprey/db';

export interface LedgerEntry {
  first: bigint;
  last: bigint;
  state: 'inserting' | 'done';
}

/**
 * Where each partition's last chunk stands, kept in the same store as the rows. The protocol:
 * write `inserting [first, last]`, insert the chunk with a token derived from the range, write
 * `done`, commit the Kafka offset. After a crash anywhere in between, `entry()` tells the
 * consumer either to replay exactly that range (same token: the store drops it if it had landed)
 * or to skip what is already done.
 */
export class IngestLedger {
  private readonly cache = new Map<string, LedgerEntry | null>();
  private version = BigInt(Date.now()) * 1000n;

  constructor(
    private readonly store: Store,
    private readonly group: string,
  ) {}

  async entry(topic: string, partition: number): Promise<LedgerEntry | null> {
    const key = `${topic}/${partition}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const [row] = await this.store.query<{
      first_offset: string;
      last_offset: string;
      state: LedgerEntry['state'];
    }>(
      `SELECT first_offset, last_offset, state FROM ${Tables.ingestLedger} FINAL
       WHERE consumer_group = {group:String} AND topic = {topic:String} AND partition = {partition:UInt32}`,
      { group: this.group, topic, partition },
    );
    const entry = row
      ? { first: BigInt(row.first_offset), last: BigInt(row.last_offset), state: row.state }
      : null;
    this.cache.set(key, entry);
    return entry;
  }

  async record(topic: string, partition: number, entry: LedgerEntry): Promise<void> {
    // Strictly increasing, and ahead of any earlier process's versions (time-based).
    const now = BigInt(Date.now()) * 1000n;
    this.version = this.version + 1n > now ? this.version + 1n : now;
    await this.store.insert(Tables.ingestLedger, [
      {
        consumer_group: this.group,
        topic,
        partition,
        first_offset: entry.first.toString(),
        last_offset: entry.last.toString(),
        state: entry.state,
        version: this.version.toString(),
      },
    ]);
    this.cache.set(`${topic}/${partition}`, entry);
  }

  /** After a rebalance another consumer may have moved a partition on: read again. */
  forget(): void {
    this.cache.clear();
  }

  token(topic: string, partition: number, entry: LedgerEntry): string {
    return `${this.group}/${topic}/${partition}/${entry.first}-${entry.last}`;
  }
}
