/** Deterministic pseudo-random numbers, so tests and benchmarks can recompute what they sent. */
export { mulberry32 } from '@osprey/detectors/random';

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
