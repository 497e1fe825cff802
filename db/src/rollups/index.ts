export {
  aggregateSeries,
  type SeriesAggregate,
  type SeriesFilter,
  type SeriesSource,
} from './series';
export { HOUR_MS, MINUTE_MS, type Grid } from './cover';
export { backfillSegmentRollups, segmentRolledUp } from './segments';
