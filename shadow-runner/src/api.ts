/**
 * The registry's request schemas, answer types and errors: what the web app imports. No
 * onnxruntime here (the web app reaches the registry through its runtime, never loads ORT).
 */
import { z } from 'zod';
import type { ModelSignature } from './inference/session';

export type { ModelSignature, ValueSpec } from './inference/session';
export * from './replay/schema';
export type * from './replay/side-by-side-report';

/** Model and version names end up in URLs and artifact listings: plain characters only. */
export const modelName = z
  .string({ error: 'required, a string' })
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . -');
export const versionName = modelName;

const featureName = z.string().min(1, 'feature names must not be empty').max(256);

/**
 * Which logged features make which input tensor: for each model input, the feature names in
 * column order. A number is taken as is, a boolean as 1/0, a missing or null value as NaN.
 */
export const inputSpec = z.object({
  inputs: z
    .array(
      z.object({
        name: z.string().min(1, 'must not be empty'),
        features: z.array(featureName).min(1, 'must name at least one feature'),
      }),
    )
    .min(1, 'must describe at least one input'),
});
export type InputSpec = z.infer<typeof inputSpec>;

/** `a,b,c` (CLI flag, form field, query parameter) as a feature list. */
export function parseFeatureList(text: string): string[] {
  return text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
}

const reason = z
  .string({ error: 'required, a string' })
  .trim()
  .min(1, 'must say why')
  .max(2000, 'must be at most 2000 characters');

export const promoteBody = z.object({ version: versionName, reason });
export const rollbackBody = z.object({ to: versionName.optional(), reason });

export interface ModelVersion {
  model: string;
  version: string;
  sha256: string;
  size_bytes: number;
  filename: string;
  signature: ModelSignature;
  input_spec: InputSpec;
  description: string;
  created_at: string;
  created_by: string;
}

/** What `GET /v1/models/{model}/production` answers. */
export interface Production {
  model: string;
  version: string;
  sha256: string;
  artifact_url: string;
  changed_at: string;
  action: 'promote' | 'rollback';
  reason: string;
  actor: string;
  alert_id: string | null;
}

/** Emitted on every promote and rollback (the `deployment.changed` event). */
export interface DeploymentChange {
  id: string;
  model: string;
  version: string;
  previous_version: string | null;
  sha256: string;
  action: 'promote' | 'rollback';
  reason: string;
  actor: string;
  alert_id: string | null;
  shadow_run_id: string | null;
  changed_at: string;
}

/** A refusal with the HTTP status it maps to and, for 400s, the field at fault. */
export class RegistryError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413,
    message: string,
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'RegistryError';
  }
}
