/**
 * Bounds the memory the collector can spend on requests. Decompressing, parsing and validating is
 * CPU-bound on one thread, so only `concurrency` bodies are read at once; the rest wait with their
 * bodies still in the socket (costing nothing), and beyond `maxWaiting` a request is refused at
 * once so the client backs off (503 + Retry-After) instead of the process growing.
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
