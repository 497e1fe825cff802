import { describe, expect, it } from 'vitest';
import type { DimensionClaims } from './dimension-claims';
import { DimensionRegistry } from './dimension-registry';

/** Claims as the store keeps them: the first dimension of a (model, name) wins. */
function fakeClaims() {
  const fixed = new Map<string, number>();
  const asked: string[] = [];
  const claims: DimensionClaims = {
    claim(model, name, dimension) {
      asked.push(`${model}/${name}:${dimension}`);
      const key = `${model}/${name}`;
      if (!fixed.has(key)) fixed.set(key, dimension);
      return Promise.resolve(fixed.get(key)!);
    },
  };
  return { claims, asked, fixed };
}

const v = (n: number) => new Array<number>(n).fill(0.5);

describe('DimensionRegistry', () => {
  it('fixes each name’s dimension by its first vector and rejects a change, naming expected and got', async () => {
    const { claims } = fakeClaims();
    const registry = new DimensionRegistry(claims);
    const result = await registry.check([
      { model: 'm', embeddings: { q: v(4), d: v(2) } },
      { model: 'm', embeddings: { q: v(3) } },
      { model: 'm' },
      { model: 'other', embeddings: { q: v(3) } },
      { model: 'm', embeddings: { d: v(2), q: v(4) } },
    ]);
    expect(result.kept).toEqual([0, 2, 3, 4]);
    expect(result.rejected).toEqual([
      {
        index: 1,
        error:
          'embeddings.q: expected 4 dimensions, got 3 (the dimension of model m\'s "q" is fixed by the first vector logged; log a new dimension under a new name)',
      },
    ]);
    const later = await registry.check([{ model: 'm', embeddings: { d: v(5) } }]);
    expect(later.rejected[0]!.error).toMatch(/^embeddings\.d: expected 2 dimensions, got 5 /);
  });

  it('asks the claims once per name while it trusts the answer, then reads again', async () => {
    const { claims, asked, fixed } = fakeClaims();
    let now = 0;
    const registry = new DimensionRegistry(claims, () => now);
    await Promise.all([
      registry.check([{ model: 'm', embeddings: { q: v(8) } }]),
      registry.check([{ model: 'm', embeddings: { q: v(8) } }]),
    ]);
    await registry.check([{ model: 'm', embeddings: { q: v(8) } }]);
    expect(asked).toEqual(['m/q:8']);
    // An operator let the name start over (deleted its claims): seen after the trust expires.
    fixed.set('m/q', 16);
    now += 61_000;
    const result = await registry.check([{ model: 'm', embeddings: { q: v(8) } }]);
    expect(asked).toHaveLength(2);
    expect(result.rejected[0]!.error).toMatch(/expected 16 dimensions, got 8/);
  });

  it('lets a failure of the claims reach the caller, so nothing is accepted unchecked', async () => {
    const registry = new DimensionRegistry({
      claim: () => Promise.reject(new Error('store down')),
    });
    await expect(registry.check([{ model: 'm', embeddings: { q: v(1) } }])).rejects.toThrow(
      'store down',
    );
  });
});
