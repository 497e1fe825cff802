export { EP_CHOICES, candidates, defaultTuning, sessionOptions } from './ep';
export type { EpChoice, Provider, SessionTuning, WebGpuOptions } from './ep';
export { describePlan, planProviders, type ProviderPlan } from './availability';
export { InferencePool, type LoadedModel, type PoolOptions } from './pool';
export { ISOLATIONS, type Isolation } from './transport';
export { ModelLoadError, type ModelSignature, type Placement, type ValueSpec } from './session';
export type { RunResult } from './protocol';
export * from './tensors';
