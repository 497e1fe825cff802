import type { Readable } from 'node:stream';
import type { z } from 'zod';
import {
  getModelVersion,
  insertModelVersion,
  listModelVersions,
  recordAudit,
  type ModelVersionRow,
  type Store,
} from '@osprey/db';
import {
  RegistryError,
  inputSpec,
  modelName,
  versionName,
  type InputSpec,
  type ModelVersion,
} from '../api';
import type { ModelSignature } from '../inference/session';
import type { ArtifactStore, Staged } from './artifacts';
import { resolveInputSpec } from './input-spec';
import { inspectModel } from './inspect';

export interface PushInput {
  model: string;
  version: string;
  /** The ONNX file's bytes. */
  body: Readable | Uint8Array;
  /** A feature list for a single-input model, or a full input spec. */
  features: string[] | InputSpec;
  filename?: string;
  description?: string;
  actor: string;
}

export interface RegistryOptions {
  store: Store;
  artifacts: ArtifactStore;
  maxArtifactBytes: number;
  /** How an upload is opened and read (default: onnxruntime-node in a worker). */
  inspect?: (path: string) => Promise<ModelSignature>;
}

/** Model versions: ONNX artifacts validated by onnxruntime, stored by sha256, recorded in ClickHouse. */
export class ModelRegistry {
  constructor(private readonly opts: RegistryOptions) {}

  get artifacts(): ArtifactStore {
    return this.opts.artifacts;
  }

  /** The limit uploads are held to while they stream in (OSPREY_MAX_ARTIFACT_BYTES). */
  get maxArtifactBytes(): number {
    return this.opts.maxArtifactBytes;
  }

  /**
   * Writes an upload to a temporary file as it streams in, hashing it on the way: a 413 as soon
   * as it passes OSPREY_MAX_ARTIFACT_BYTES. Hand the result to `pushStaged`.
   */
  stage(body: Readable | Uint8Array): Promise<Staged> {
    return this.opts.artifacts.stage(body, this.opts.maxArtifactBytes);
  }

  /**
   * Stores and records a version. The bytes are hashed while written to a temporary file, opened
   * with onnxruntime (refused with a 400 if it cannot load them), checked against the input spec,
   * then moved to their content address. Pushing the same bytes again answers the existing
   * version (`created: false`); other bytes under a taken version are a 409.
   */
  async push(input: PushInput): Promise<{ version: ModelVersion; created: boolean }> {
    const checked = checkPush(input);
    return this.record(checked, await this.stage(input.body));
  }

  /**
   * `push` for bytes already staged (a multipart upload, whose fields may come after the file).
   * The staged file is discarded whatever the outcome.
   */
  async pushStaged(
    input: Omit<PushInput, 'body'>,
    staged: Staged,
  ): Promise<{ version: ModelVersion; created: boolean }> {
    let checked: CheckedPush;
    try {
      checked = checkPush(input);
    } catch (error) {
      await staged.discard();
      throw error;
    }
    return this.record(checked, staged);
  }

  private async record(
    input: CheckedPush,
    staged: Staged,
  ): Promise<{ version: ModelVersion; created: boolean }> {
    const { model, version, features } = input;
    const { store } = this.opts;
    try {
      const existing = await getModelVersion(store, model, version);
      if (existing && existing.sha256 !== staged.sha256)
        throw new RegistryError(
          409,
          `${model} ${version} already exists with other bytes (sha256 ${existing.sha256}); push a new version`,
        );
      const signature = await (this.opts.inspect ?? inspectModel)(staged.path);
      const spec = resolveInputSpec(signature, features);
      await staged.commit();
      if (existing) return { version: toVersion(existing), created: false };
      const row = {
        model,
        version,
        sha256: staged.sha256,
        size_bytes: staged.size,
        filename: input.filename ?? `${model}-${version}.onnx`,
        signature: JSON.stringify(signature),
        input_spec: JSON.stringify(spec),
        description: input.description ?? '',
        created_at: Date.now(),
        created_by: input.actor,
      };
      await insertModelVersion(store, row);
      await recordAudit(store, {
        actor: input.actor,
        action: 'model.version.push',
        target: `${model}/${version}`,
        details: { sha256: row.sha256, size_bytes: row.size_bytes, input_spec: spec },
      });
      return {
        version: toVersion({ ...row, created_at: new Date(row.created_at).toISOString() }),
        created: true,
      };
    } finally {
      await staged.discard();
    }
  }

  async versions(model: string): Promise<ModelVersion[]> {
    return (await listModelVersions(this.opts.store, model)).map(toVersion);
  }

  async get(model: string, version: string): Promise<ModelVersion | undefined> {
    const row = await getModelVersion(this.opts.store, model, version);
    return row && toVersion(row);
  }

  /** The version, or a 404 naming what is missing. */
  async require(model: string, version: string): Promise<ModelVersion> {
    const found = await this.get(model, version);
    if (!found)
      throw new RegistryError(
        404,
        `${model} has no version ${version}; push it first (osprey models push)`,
      );
    return found;
  }
}

type CheckedPush = Omit<PushInput, 'body' | 'features'> & { features: string[] | InputSpec };

/** Names and features checked before any byte is stored (400s naming the field). */
function checkPush(input: Omit<PushInput, 'body'>): CheckedPush {
  const model = parse(modelName, input.model, 'model');
  const version = parse(versionName, input.version, 'version');
  const features = Array.isArray(input.features)
    ? input.features
    : parse(inputSpec, input.features, 'input_spec');
  if (Array.isArray(features) && features.length === 0)
    throw new RegistryError(
      400,
      'name the logged features that make the model input, in order',
      'features',
    );
  return { ...input, model, version, features };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new RegistryError(
    400,
    issue?.message ?? 'invalid',
    [field, ...(issue?.path ?? [])].map(String).join('.'),
  );
}

function toVersion(row: ModelVersionRow): ModelVersion {
  return {
    ...row,
    signature: JSON.parse(row.signature) as ModelSignature,
    input_spec: JSON.parse(row.input_spec) as InputSpec,
  };
}
