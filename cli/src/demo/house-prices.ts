/**
 * A house-price service's traffic: realistic listings, the sale price that arrives later as a
 * label, the service's latency with a long tail and occasional failures — shaped by the story's
 * conditions at that moment (a drifting feature, a slow feature store). The model's estimate is
 * not made here: the registered ONNX model computes it (predictor.ts).
 */
const NEIGHBOURHOODS = [
  { name: 'Old Town', premium: 1.35, weight: 0.12 },
  { name: 'Riverside', premium: 1.2, weight: 0.18 },
  { name: 'Harbour', premium: 1.1, weight: 0.15 },
  { name: 'Hillcrest', premium: 1.0, weight: 0.2 },
  { name: 'Northgate', premium: 0.85, weight: 0.2 },
  { name: 'Westfield', premium: 0.75, weight: 0.15 },
] as const;
const PROPERTY_TYPES = ['apartment', 'house', 'townhouse'] as const;

/** What the world looks like at one moment of the story (story.ts). */
export interface Conditions {
  /** Added to distance_to_center_km: listings from a new development on the outskirts. */
  distanceShiftKm: number;
  /** Multiplies the service's latency: the feature store is slow. */
  latencyFactor: number;
  /** Share of requests that fail. */
  errorRate: number;
}

export const NORMAL: Conditions = { distanceShiftKm: 0, latencyFactor: 1, errorRate: 0.012 };

export interface HouseSale {
  features: Record<string, number | string | boolean | null>;
  /** What the house sold for: the ground truth. */
  price: number;
  latencyMs: number;
  error?: string;
}

function gaussian(): number {
  const u = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
}

function pick<T extends { weight: number }>(items: readonly T[]): T {
  let r = Math.random();
  for (const item of items) if ((r -= item.weight) <= 0) return item;
  return items[items.length - 1]!;
}

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Median service latency per version: the gradient-boosted v2 walks 60 trees. */
const MEDIAN_LATENCY_MS: Record<string, number> = { v1: 8, v2: 11 };

/**
 * One listing and its sale. The price follows the formula the fixture models were trained on
 * (shadow-runner/fixtures/make_models.py): linear in the features, times a neighbourhood premium
 * the models never see — which is why their error is large.
 */
export function houseSale(version: string, c: Conditions = NORMAL): HouseSale {
  const type = PROPERTY_TYPES[Math.floor(Math.random() * PROPERTY_TYPES.length)]!;
  const rooms = Math.max(
    1,
    Math.round(type === 'apartment' ? 3 + gaussian() : 5 + 1.5 * gaussian()),
  );
  const bedrooms = Math.max(1, rooms - 1 - Math.floor(Math.random() * 2));
  const area = Math.max(18, round(rooms * 24 + 12 * gaussian(), 1));
  const age = Math.max(0, Math.round(35 + 25 * gaussian()));
  const distance = round(Math.max(0.3, 3 + 6 * Math.abs(gaussian())) + c.distanceShiftKm, 2);
  const hood = pick(NEIGHBOURHOODS);
  const garden = type !== 'apartment' && Math.random() < 0.7;
  const price =
    (60_000 +
      3_100 * area +
      9_000 * bedrooms -
      900 * age -
      5_500 * distance +
      (garden ? 18_000 : 0)) *
      hood.premium +
    25_000 * gaussian();
  const median = (MEDIAN_LATENCY_MS[version] ?? 8) * c.latencyFactor;
  // A rare stall (a cold cache): it shows in the max, well under 1% so p99 stays steady.
  const stall = Math.random() < 0.004 ? 120 : 0;
  const latency = Math.exp(Math.log(median) + 0.35 * gaussian()) + stall;
  const failed = Math.random() < c.errorRate;
  return {
    features: {
      rooms,
      bedrooms,
      area_sqm: area,
      age_years: age,
      distance_to_center_km: distance,
      floor: type === 'apartment' ? Math.floor(Math.random() * 9) : null,
      neighbourhood: hood.name,
      property_type: type,
      has_garden: garden,
    },
    price: round(Math.max(40_000, price)),
    latencyMs: round(latency, 3),
    error: failed
      ? 'FeatureStoreTimeout: neighbourhood statistics lookup exceeded 50 ms'
      : undefined,
  };
}
