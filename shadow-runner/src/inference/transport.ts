import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import type { Request, Response } from './protocol';

/**
 * Where an inference worker runs. `thread`: a worker thread, tensors transferred without a copy.
 * `process`: a child process, tensors copied over IPC (V8 serialisation). Processes exist for the
 * GPU: two WebGPU sessions in one process crash it (docs/benchmarks.md), so only processes give a
 * GPU model more than one session, and with them several batches on the GPU at once.
 */
export const ISOLATIONS = ['thread', 'process'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

/** The pool's end of one worker. */
export interface WorkerLink {
  post(req: Request, transfer: ArrayBuffer[]): void;
  onMessage(listener: (msg: Response) => void): void;
  /** Called once when the worker dies or cannot start. */
  onExit(listener: (error: Error) => void): void;
  terminate(): Promise<void>;
}

export function spawnWorker(isolation: Isolation, entry: URL): WorkerLink {
  return isolation === 'thread' ? threadLink(new Worker(entry)) : processLink(entry);
}

function threadLink(worker: Worker): WorkerLink {
  return {
    post: (req, transfer) => worker.postMessage(req, transfer),
    onMessage: (listener) => worker.on('message', listener),
    onExit(listener) {
      let told = false;
      const once = (error: Error) => {
        if (!told) listener(error);
        told = true;
      };
      worker.on('error', once);
      worker.on('exit', (code) => once(new Error(`inference worker exited (code ${code})`)));
    },
    terminate: async () => void (await worker.terminate()),
  };
}

function processLink(entry: URL): WorkerLink {
  // No inherited --inspect or loader flags: the entry registers what it needs itself.
  const child: ChildProcess = fork(fileURLToPath(entry), [], {
    serialization: 'advanced',
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  return {
    post: (req) => child.send(req),
    onMessage: (listener) => child.on('message', (msg) => listener(msg as Response)),
    onExit(listener) {
      child.on('error', (error) => {
        if (!exited) listener(error);
        exited = true;
      });
      child.on('exit', (code, signal) => {
        if (!exited) listener(new Error(`inference process exited (${signal ?? `code ${code}`})`));
        exited = true;
      });
    },
    async terminate() {
      if (exited || child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** The worker's end: its parent thread, or its parent process over IPC. */
export interface ParentLink {
  onMessage(listener: (req: Request) => void): void;
  post(msg: Response, transfer: ArrayBuffer[]): void;
}

export function parentLink(): ParentLink {
  const port = parentPort;
  if (port)
    return {
      onMessage: (listener) => port.on('message', listener),
      post: (msg, transfer) => port.postMessage(msg, transfer),
    };
  const send = process.send?.bind(process);
  if (!send) throw new Error('an inference worker must run in a worker thread or a forked process');
  // The pool went away (closed or crashed): nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
  return {
    onMessage: (listener) => process.on('message', (req) => listener(req as Request)),
    post: (msg) => void send(msg),
  };
}
