import { deliver, type DeliveryContext } from './delivery';

interface Batch {
  events: object[];
  settle: () => void;
}

/**
 * One endpoint's queue: events wait here, are cut into batches of at most `maxBatchSize`, and are
 * sent by at most `maxConcurrentRequests` deliveries at once. The client bounds the total; this
 * keeps `queued` and `inFlight` up to date so it can.
 */
export class BatchQueue {
  private queue: object[] = [];
  private readonly waiting: Batch[] = [];
  private readonly unsettled = new Set<Promise<void>>();
  private active = 0;
  private cutScheduled = false;

  constructor(
    private readonly ctx: DeliveryContext,
    private readonly maxBatchSize: number,
    private readonly maxConcurrent: number,
  ) {}

  /** Adds one event; a full batch is cut on the next turn of the event loop, not in the caller's. */
  push(event: object): void {
    this.queue.push(event);
    this.ctx.counters.queued++;
    if (this.queue.length >= this.maxBatchSize && !this.cutScheduled) {
      this.cutScheduled = true;
      setImmediate(() => {
        this.cutScheduled = false;
        this.cut(true);
      });
    }
  }

  /**
   * Turns what is queued into batches and starts sending what the concurrency limit allows; with
   * `fullOnly`, a last partial batch stays queued for the interval.
   */
  cut(fullOnly = false): void {
    const all = this.queue;
    const size = this.maxBatchSize;
    const end = fullOnly ? all.length - (all.length % size) : all.length;
    if (end === 0) return;
    this.queue = end === all.length ? [] : all.slice(end);
    for (let i = 0; i < end; i += size) {
      const events =
        end === all.length && all.length <= size ? all : all.slice(i, Math.min(end, i + size));
      let settle!: () => void;
      const done = new Promise<void>((resolve) => (settle = resolve));
      this.unsettled.add(done);
      this.waiting.push({ events, settle: () => (this.unsettled.delete(done), settle()) });
    }
    this.pump();
  }

  /** Resolves when every event pushed before the call has been sent or given up. */
  async drain(): Promise<void> {
    this.cut();
    await Promise.all([...this.unsettled]);
  }

  private pump(): void {
    while (this.active < this.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.shift()!;
      const n = batch.events.length;
      const counters = this.ctx.counters;
      this.active++;
      counters.queued -= n;
      counters.inFlight += n;
      void deliver(this.ctx, batch.events).finally(() => {
        this.active--;
        counters.inFlight -= n;
        batch.settle();
        this.pump();
      });
    }
  }
}
