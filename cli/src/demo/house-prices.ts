/**
 * A house-price regression model's traffic: realistic features, the model's estimate, the sale
 * price that arrives later as a label, latencies with a long tail and occasional failures.
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

export interface HouseSale {
  features: Record<string, number | string | boolean | null>;
  /** What the model predicted. */
  prediction: number;
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

export function houseSale(version: string): HouseSale {
  const type = PROPERTY_TYPES[Math.floor(Math.random() * PROPERTY_TYPES.length)]!;
  const rooms = Math.max(
    1,
    Math.round(type === 'apartment' ? 3 + gaussian() : 5 + 1.5 * gaussian()),
  );
  const bedrooms = Math.max(1, rooms - 1 - Math.floor(Math.random() * 2));
  const area = Math.max(18, round(rooms * 24 + 12 * gaussian(), 1));
  const age = Math.max(0, Math.round(35 + 25 * gaussian()));
  const distance = round(Math.max(0.3, 3 + 6 * Math.abs(gaussian())), 2);
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
  // v2 is the better model: smaller error around the true price.
  const noise = version === 'v2' ? 14_000 : 32_000;
  const latency =
    Math.exp(Math.log(version === 'v2' ? 11 : 8) + 0.35 * gaussian()) +
    (Math.random() < 0.01 ? 120 : 0);
  const failed = Math.random() < 0.012;
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
    prediction: round(Math.max(40_000, price + noise * gaussian())),
    price: round(Math.max(40_000, price)),
    latencyMs: round(latency, 3),
    error: failed
      ? 'FeatureStoreTimeout: neighbourhood statistics lookup exceeded 50 ms'
      : undefined,
  };
}
