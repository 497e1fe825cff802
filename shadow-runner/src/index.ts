export * from './api';
export { shadowEnv, artifactDir, type ShadowEnv } from './config';
export { createModels, type Models } from './models';
export { ArtifactStore } from './registry/artifacts';
export { ModelRegistry, type PushInput } from './registry/registry';
export { Deployments, DEPLOYMENT_CHANGED, type ChangeInput } from './registry/deployments';
export { resolveInputSpec, specFeatures } from './registry/input-spec';
export * from './inference/index';
