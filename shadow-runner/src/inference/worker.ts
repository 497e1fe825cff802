import { parentPort } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import type { OpenResult, Request, Response, RunResult } from './protocol';
import { fromOrt, openSession, toOrt } from './session';
import { transferList } from './tensors';

/** One inference worker: owns its sessions, runs them off the main thread's event loop. */
const port = parentPort;
if (!port) throw new Error('inference worker must run in a worker thread');

const sessions = new Map<string, ort.InferenceSession>();

async function handle(req: Request): Promise<OpenResult | RunResult | null> {
  switch (req.kind) {
    case 'open': {
      const started = performance.now();
      await sessions.get(req.key)?.release();
      const opened = await openSession(req.path, req.providers, req.tuning);
      sessions.set(req.key, opened.session);
      const { signature, placement, attempts } = opened;
      return { signature, placement, attempts, loadMs: performance.now() - started };
    }
    case 'run': {
      const session = sessions.get(req.key);
      if (!session) throw new Error(`model ${req.key} is not open in this worker`);
      const started = performance.now();
      const out = req.fetches
        ? await session.run(toOrt(req.feeds), req.fetches)
        : await session.run(toOrt(req.feeds));
      return { outputs: fromOrt(out), runMs: performance.now() - started };
    }
    case 'close':
      await sessions.get(req.key)?.release();
      sessions.delete(req.key);
      return null;
  }
}

port.on('message', (req: Request) => {
  handle(req).then(
    (result) => {
      const msg: Response = { id: req.id, ok: true, result };
      const transfer = result && 'outputs' in result ? transferList(result.outputs) : [];
      port.postMessage(msg, transfer);
    },
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({
        id: req.id,
        ok: false,
        error: e.message,
        name: e.name,
      } satisfies Response);
    },
  );
});
