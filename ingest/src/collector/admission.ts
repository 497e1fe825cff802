/**
 * Bounds the work the collector does at once. Decompressing, parsing and validating is CPU-bound
 * on one thread, so only `concurrency` bodies are parsed at once; the rest wait (their raw bodies
 * already read, counted by BodyBudget), and beyond `maxWaiting` a request is refused at once so
 * the client backs off (503 + Retry-After) instead of the process growing.
 */
export class Admission {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Resolves with a release function, or with undefined when the queue is full. */
  async enter(): Promise<(() => void) | undefined> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/**
 * The bytes of request bodies the collector holds at once, across every request still being read
 * or waiting for a parse slot: bodies are read before a slot is taken (a slow client must not hold
 * one), so this is what keeps many large bodies at once from growing the process.
 */
export class BodyBudget {
  private held = 0;

  constructor(private readonly maxBytes: number) {}

  /** Counts `bytes` as held, or answers false (counting nothing) when that would pass the budget. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}
