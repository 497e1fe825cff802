import type { Rejection } from '../events/event-kinds';
import type { DimensionClaims } from './dimension-claims';

/** An event that may carry vectors, as the contract gives it. */
interface WithEmbeddings {
  model: string;
  embeddings?: Record<string, readonly number[]>;
}

/**
 * How long a resolved dimension is trusted before it is read again: it never changes once fixed,
 * but re-reading bounds how long a replica could keep a loser of the rare first-claim race
 * (dimension-claims.ts), or a claim an operator deleted to let a name start over.
 */
const TRUST_MS = 60_000;

/**
 * Each (model, embedding name) keeps the dimension it was first logged with: the collector checks
 * every event's vectors here, from an in-process cache, asking the claims only for a name it has
 * not seen within TRUST_MS (one query per name, shared by concurrent requests).
 */
export class DimensionRegistry {
  private readonly known = new Map<string, { dimension: number; until: number }>();
  private readonly asking = new Map<string, Promise<number>>();

  constructor(
    private readonly claims: DimensionClaims,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The events whose vectors all have their name's dimension, and a rejection for each other one
   * (by its position in `events`), naming the embedding, the dimension expected and the one got.
   */
  async check<E extends WithEmbeddings>(
    events: readonly E[],
  ): Promise<{ kept: number[]; rejected: Rejection[] }> {
    const kept: number[] = [];
    const rejected: Rejection[] = [];
    const firstSeen = new Map<string, [model: string, name: string, dimension: number]>();
    for (const e of events) {
      for (const name in e.embeddings) {
        const key = keyOf(e.model, name);
        if (!this.fresh(key) && !firstSeen.has(key))
          firstSeen.set(key, [e.model, name, e.embeddings[name]!.length]);
      }
    }
    if (firstSeen.size > 0) {
      await Promise.all([...firstSeen].map(([key, claim]) => this.resolve(key, ...claim)));
    }
    events.forEach((e, index) => {
      const error = this.mismatch(e);
      if (error) rejected.push({ index, error });
      else kept.push(index);
    });
    return { kept, rejected };
  }

  private mismatch(e: WithEmbeddings): string | undefined {
    for (const name in e.embeddings) {
      const got = e.embeddings[name]!.length;
      const expected = this.known.get(keyOf(e.model, name))!.dimension;
      if (got !== expected)
        return `embeddings.${name}: expected ${expected} dimensions, got ${got} (the dimension of model ${e.model}'s "${name}" is fixed by the first vector logged; log a new dimension under a new name)`;
    }
    return undefined;
  }

  private fresh(key: string): boolean {
    const entry = this.known.get(key);
    return entry !== undefined && entry.until > this.now();
  }

  private resolve(key: string, model: string, name: string, dimension: number): Promise<number> {
    let asked = this.asking.get(key);
    if (!asked) {
      asked = this.claims
        .claim(model, name, dimension)
        .then((registered) => {
          this.known.set(key, { dimension: registered, until: this.now() + TRUST_MS });
          return registered;
        })
        .finally(() => this.asking.delete(key));
      this.asking.set(key, asked);
    }
    return asked;
  }
}

function keyOf(model: string, name: string): string {
  return `${model}\u0000${name}`;
}
