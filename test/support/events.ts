/** Deterministic pseudo-random numbers, so tests and benchmarks can recompute what they sent. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = ['north', 'south', 'east', 'west', 'centre', 'harbour', 'hills'];

/** A prediction with 20 features (15 numeric, 5 categorical), as the benchmarks specify. */
export function wideEvent(rand: () => number, model: string, version = 'v1') {
  const features: Record<string, number | string> = {};
  for (let j = 0; j < 15; j++) features[`num_${j}`] = Math.round(rand() * 1e6) / 1e3;
  for (let j = 0; j < 5; j++)
    features[`cat_${j}`] = CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!;
  return {
    model,
    version,
    features,
    prediction: Math.round(rand() * 1e5) / 100,
    latency_ms: Math.round(rand() * 5000) / 100,
    tags: { region: rand() < 0.5 ? 'eu' : 'us' },
  };
}
