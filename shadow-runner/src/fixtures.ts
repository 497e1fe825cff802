import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The committed fixture models (shadow-runner/fixtures/make_models.py): the house-price
 * regressors and classifier the tests use and the demo registers as its versions.
 */
export const FIXTURE_MODELS = join(
  fileURLToPath(new URL('../fixtures', import.meta.url)),
  'models',
);

/** The fixture models' input, in column order (make_models.py HOUSE_FEATURES). */
export const HOUSE_FEATURES = [
  'rooms',
  'bedrooms',
  'area_sqm',
  'age_years',
  'distance_to_center_km',
  'has_garden',
];
