import type { Provider, SessionTuning } from './ep';
import type { Attempt, ModelSignature, Placement } from './session';
import type { WireTensors } from './tensors';

/** Messages between the pool (main thread) and an inference worker. */
export type Request =
  | {
      id: number;
      kind: 'open';
      key: string;
      path: string;
      providers: Provider[];
      tuning: SessionTuning;
    }
  | { id: number; kind: 'run'; key: string; feeds: WireTensors; fetches?: string[] }
  | { id: number; kind: 'close'; key: string };

export interface OpenResult {
  signature: ModelSignature;
  placement: Placement;
  attempts: Attempt[];
  /** Milliseconds to create, optimise and probe the session. */
  loadMs: number;
}

export interface RunResult {
  outputs: WireTensors;
  /** Milliseconds inside session.run() on the worker, without the message hops. */
  runMs: number;
  /** The process that ran it: the pool's own for worker threads, a child's for worker processes. */
  pid: number;
}

export type Response =
  | { id: number; ok: true; result: OpenResult | RunResult | null }
  | { id: number; ok: false; error: string; name: string };
