export {
  detectSegmentWindow,
  detectWindow,
  type Detection,
  type AlertEvaluator,
} from './run/detect';
export {
  detectRange,
  MAX_DETECT_WINDOWS,
  TooManyWindowsError,
  type RangeDetection,
  type WindowDetection,
} from './run/detect-range';
export {
  RecomputeJobs,
  RecomputeRefused,
  MAX_RECOMPUTE_DAYS,
  type RecomputeJob,
} from './run/recompute';
export { latestRun, lastWindowEnd, type DetectorName } from './results/runs';
export {
  loadSettings,
  saveSettings,
  monitoredModels,
  modelSettings,
  referenceChoice,
  type ModelSettings,
  type ReferenceChoice,
} from './settings/model-settings';
export { windowAt, closedWindows, windowsOverlapping, type Window } from './window';
export type { Segment } from './sql/rows';
export { DetectorScheduler, type Checkpoint, type SchedulerOptions } from './scheduler/scheduler';
export type { DetectionProgress } from './scheduler/progress';
export { detectorsEnv, type DetectorsEnv } from './scheduler/config';
export * from './alerts/index';
export {
  driftHeatmap,
  type DriftHeatmap,
  type DriftCell,
  type DriftStatus,
  type HeatmapOptions,
} from './results/drift-heatmap';
export {
  featureDriftHistory,
  performanceHistory,
  type HistoryScope,
  type PerformancePoint,
  type StoredStatistic,
} from './results/history';
export { detectCbpe, type Estimate, type EstimatedPerformance } from './estimation/cbpe';
export { detectEstimatedPerformance } from './estimation/detect-estimated';
export { estimatedPerformanceHistory, type EstimatedPoint } from './estimation/history';
export { firstWindow, type FirstWindow } from './results/first-window';
export { multivariateHistory, type MultivariatePoint } from './multivariate/history';
export type { MultivariateDriftReport } from './multivariate/detect-multivariate';
export { embeddingDriftFields, type EmbeddingDriftFields } from './embeddings/drift-fields';
export type { EmbeddingDrift, EmbeddingDriftReport } from './embeddings/detect-embeddings';
export { windowComparedWith, windowReference, type WindowReference } from './results/compared-with';
export type { ComparedWith, ReferenceSource } from './reference/resolve';
export { featureHistograms, type FeatureHistograms, type HistogramBin } from './drift/histograms';
export { diagnose, type Diagnostics, type DiagnoseOptions } from './diagnostics/diagnose';
export { cachedDiagnose } from './diagnostics/cache';
export { qualityHeatmap, type QualityCell } from './quality/quality-heatmap';
export type { QualityReport } from './quality/detect-quality';
export { embeddingMap, type EmbeddingMap, type MapCell } from './embedding-map/embedding-map';
export {
  nearestExamples,
  type Example,
  type NearestExamples,
} from './embedding-map/nearest-examples';
export { embeddingNames } from './embedding-map/names';
export { embeddingDriftHistory, type EmbeddingDriftPoint } from './embeddings/history';
