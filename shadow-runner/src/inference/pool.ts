import { planProviders, type ProviderPlan } from './availability';
import { defaultTuning, type EpChoice, type Provider, type SessionTuning } from './ep';
import type { OpenResult, Request, Response, RunResult } from './protocol';
import { ModelLoadError } from './session';
import { transferList, type WireTensors } from './tensors';
import { spawnWorker, type Isolation, type WorkerLink } from './transport';

export interface PoolOptions {
  /** Workers, each with its own session of every loaded model (default 1). */
  workers?: number;
  /** Worker threads (default) or child processes; see transport.ts. */
  isolation?: Isolation;
  /** OSPREY_EP (default auto). */
  ep?: EpChoice;
  tuning?: SessionTuning;
  /** The worker script; the default is worker-entry.mjs beside this file. */
  workerUrl?: URL;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Body = DistributiveOmit<Request, 'id'>;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

class Slot {
  readonly pending = new Map<number, Pending>();
  /** Models being (re)opened here: a batch for one waits, as the worker handles messages concurrently. */
  readonly opening = new Map<string, Promise<unknown>>();
  constructor(readonly worker: WorkerLink) {}
}

/**
 * A model loaded in every worker (in the first only on webgpu, below), on the provider the first
 * worker's probe settled on.
 */
export interface LoadedModel extends OpenResult {
  key: string;
  path: string;
}

/**
 * A small pool of worker threads running ONNX Runtime sessions: `session.run()` in
 * onnxruntime-node is synchronous native work, so on the main thread it would stall every HTTP
 * request and ClickHouse read while a batch runs. Tensors travel as transferred buffers.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  /** Loaded models: their provider and the slot numbers that hold a session of them. */
  private readonly models = new Map<
    string,
    { path: string; provider: Provider; holders: number[] }
  >();
  private readonly workerUrl: URL;
  private readonly tuning: SessionTuning;
  /** The providers OSPREY_EP allows that can load here (availability.ts), decided once. */
  readonly plan: ProviderPlan;
  private readonly isolation: Isolation;
  private nextId = 1;
  private closed = false;

  constructor(options: PoolOptions = {}) {
    const workers = Math.max(1, options.workers ?? 1);
    this.plan = planProviders(options.ep ?? 'auto');
    this.isolation = options.isolation ?? 'thread';
    this.tuning = options.tuning ?? defaultTuning(workers);
    this.workerUrl = options.workerUrl ?? new URL('./worker-entry.mjs', import.meta.url);
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Opens `path` as `key` in every worker. The first worker tries the providers OSPREY_EP allows
   * and verifies placement; the others open on the provider it settled on — except webgpu among
   * worker threads, which stays in the first worker alone: WebGPU sessions in two worker threads
   * of one process crashed it on an H100 (docs/benchmarks.md). Worker processes each hold one.
   */
  async load(key: string, path: string): Promise<LoadedModel> {
    const [first, ...rest] = this.slots;
    const opened = (await this.call(first!, {
      kind: 'open',
      key,
      path,
      providers: this.plan.providers,
      tuning: this.tuning,
    })) as OpenResult;
    opened.attempts = [...this.plan.skipped, ...opened.attempts];
    const provider = opened.placement.provider;
    const others = provider === 'webgpu' && this.isolation === 'thread' ? [] : rest;
    this.models.set(key, { path, provider, holders: [0, ...others.map((_, i) => i + 1)] });
    await Promise.all(
      others.map((slot) =>
        this.call(slot, { kind: 'open', key, path, providers: [provider], tuning: this.tuning }),
      ),
    );
    return { key, path, ...opened };
  }

  /** Runs one batch on the least busy worker that holds the model. */
  async run(key: string, feeds: WireTensors, fetches?: string[]): Promise<RunResult> {
    const model = this.models.get(key);
    if (!model) throw new Error(`model ${key} is not loaded`);
    let slot = this.slots[model.holders[0]!]!;
    for (const i of model.holders) {
      const s = this.slots[i]!;
      if (s.pending.size < slot.pending.size) slot = s;
    }
    const opening = slot.opening.get(key);
    if (opening) await opening;
    return (await this.call(slot, { kind: 'run', key, feeds, fetches })) as RunResult;
  }

  async unload(key: string): Promise<void> {
    const model = this.models.get(key);
    if (!model) return;
    this.models.delete(key);
    await Promise.all(model.holders.map((i) => this.call(this.slots[i]!, { kind: 'close', key })));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    this.slots.length = 0;
  }

  private spawn(): Slot {
    const slot = new Slot(spawnWorker(this.isolation, this.workerUrl));
    slot.worker.onMessage((msg: Response) => {
      const pending = slot.pending.get(msg.id);
      if (!pending) return;
      slot.pending.delete(msg.id);
      if (msg.ok) pending.resolve(msg.result);
      else {
        const error =
          msg.name === 'ModelLoadError' ? new ModelLoadError(msg.error) : new Error(msg.error);
        pending.reject(error);
      }
    });
    const fail = (error: Error) => {
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (i < 0 || this.closed) return;
      // Replace a dead worker and reopen what was loaded, on the providers already chosen.
      const replacement = this.spawn();
      this.slots[i] = replacement;
      for (const [key, { path, provider, holders }] of this.models) {
        if (!holders.includes(i)) continue;
        const body: Body = { kind: 'open', key, path, providers: [provider], tuning: this.tuning };
        const opened = this.call(replacement, body).finally(() => replacement.opening.delete(key));
        replacement.opening.set(key, opened);
        opened.catch(() => undefined);
      }
    };
    slot.worker.onExit(fail);
    return slot;
  }

  private call(slot: Slot, body: Body): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the inference pool is closed'));
    const id = this.nextId++;
    const req = { ...body, id } as Request;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.post(req, req.kind === 'run' ? transferList(req.feeds) : []);
    });
  }
}
