import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { ORT_PROVIDER_NAMES, sessionOptions, type Provider, type SessionTuning } from './ep';
import { isTensorType, zeros, type TensorType, type WireTensors } from './tensors';

/** A model input or output as the session declares it; symbolic dimensions stay strings. */
export interface ValueSpec {
  name: string;
  type: TensorType;
  shape: (number | string)[];
}

export interface ModelSignature {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
}

/** Where a session's nodes actually run, read from ONNX Runtime's own profile. */
export interface Placement {
  /** The provider the session really uses: the accelerator if it runs any node, else cpu. */
  provider: Provider;
  /** Nodes per ORT provider name, e.g. { WebGpuExecutionProvider: 3, CPUExecutionProvider: 1 }. */
  nodes: Record<string, number>;
}

export interface Attempt {
  provider: Provider;
  error: string;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  signature: ModelSignature;
  placement: Placement;
  /** Providers tried before this one, and why each was refused. */
  attempts: Attempt[];
}

export class ModelLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelLoadError';
  }
}

/** The declared inputs and outputs; refuses non-tensor values and types the runner cannot feed. */
export function signatureOf(session: ort.InferenceSession): ModelSignature {
  const spec = (m: ort.InferenceSession.ValueMetadata, kind: string): ValueSpec => {
    if (!m.isTensor)
      throw new ModelLoadError(
        `${kind} "${m.name}" is not a tensor (maps and sequences are not supported; export classifiers without ZipMap)`,
      );
    if (!isTensorType(m.type))
      throw new ModelLoadError(
        `${kind} "${m.name}" has type ${m.type}; supported: numeric tensors and bool`,
      );
    return { name: m.name, type: m.type, shape: m.shape.map((d) => (d === '' ? '?' : d)) };
  };
  return {
    inputs: session.inputMetadata.map((m) => spec(m, 'input')),
    outputs: session.outputMetadata.map((m) => spec(m, 'output')),
  };
}

/**
 * Opens `path` on the first provider of `providers` that really takes the model. Each candidate's
 * session is created with profiling on and run once on zeros; the profile names the provider of
 * every node, which is the truth about placement (asking for webgpu is no proof it runs there:
 * ORT silently puts nodes an EP cannot run on the CPU). A candidate that runs no node is refused
 * when others remain. Profiling stops with endProfiling(), so the session is then used as is.
 */
export async function openSession(
  path: string | Uint8Array,
  providers: readonly Provider[],
  tuning: SessionTuning,
): Promise<OpenedSession> {
  const attempts: Attempt[] = [];
  for (const [i, provider] of providers.entries()) {
    const last = i === providers.length - 1;
    const dir = await mkdtemp(join(tmpdir(), 'osprey-probe-'));
    let session: ort.InferenceSession | undefined;
    try {
      const options = sessionOptions(provider, tuning, join(dir, 'probe'));
      session =
        typeof path === 'string'
          ? await ort.InferenceSession.create(path, options)
          : await ort.InferenceSession.create(path, options);
      const signature = signatureOf(session);
      const feeds: WireTensors = {};
      for (const input of signature.inputs) feeds[input.name] = zeros(input.type, input.shape);
      await session.run(toOrt(feeds));
      session.endProfiling();
      const placement = await readPlacement(dir, provider);
      if (placement.provider !== provider && !last) {
        attempts.push({ provider, error: `took no node of the model (${describe(placement)})` });
        await session.release();
        continue;
      }
      return { session, signature, placement, attempts };
    } catch (error) {
      await session?.release().catch(() => undefined);
      if (error instanceof ModelLoadError) throw error;
      attempts.push({ provider, error: firstLine(error) });
      if (provider === 'cpu' || last) {
        const tried = attempts.map((a) => `${a.provider}: ${a.error}`).join('; ');
        throw new ModelLoadError(`cannot open the model (${tried})`, { cause: error });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  throw new ModelLoadError('no execution provider to try');
}

async function readPlacement(dir: string, asked: Provider): Promise<Placement> {
  const [file] = await readdir(dir);
  if (!file) throw new Error('ONNX Runtime wrote no profile for the probe run');
  const events = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
    cat?: string;
    args?: { provider?: string };
  }[];
  const nodes: Record<string, number> = {};
  for (const e of events) {
    const p = e.cat === 'Node' ? e.args?.provider : undefined;
    if (p) nodes[p] = (nodes[p] ?? 0) + 1;
  }
  const provider = (nodes[ORT_PROVIDER_NAMES[asked]] ?? 0) > 0 ? asked : 'cpu';
  return { provider, nodes };
}

function describe(p: Placement): string {
  return Object.entries(p.nodes)
    .map(([name, n]) => `${n} on ${name}`)
    .join(', ');
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 500);
}

export function toOrt(tensors: WireTensors): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(tensors))
    out[name] = new ort.Tensor(t.type, t.data, t.dims);
  return out;
}

export function fromOrt(tensors: Record<string, ort.Tensor>): WireTensors {
  const out: WireTensors = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!isTensorType(t.type)) throw new Error(`output "${name}" has type ${t.type}`);
    out[name] = { type: t.type, dims: [...t.dims], data: t.data as WireTensors[string]['data'] };
  }
  return out;
}
