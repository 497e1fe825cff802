import type ort from 'onnxruntime-node';
import type { OpenResult, Request, Response, RunResult } from './protocol';
import { fromOrt, openSession, toOrt } from './session';
import { transferList } from './tensors';
import { parentLink } from './transport';

/** One inference worker: owns its sessions, runs them off the main thread's event loop. */
const port = parentLink();

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
      return { outputs: fromOrt(out), runMs: performance.now() - started, pid: process.pid };
    }
    case 'close':
      await sessions.get(req.key)?.release();
      sessions.delete(req.key);
      return null;
  }
}

port.onMessage((req: Request) => {
  handle(req).then(
    (result) => {
      const msg: Response = { id: req.id, ok: true, result };
      const transfer = result && 'outputs' in result ? transferList(result.outputs) : [];
      port.post(msg, transfer);
    },
    (error: unknown) => {
      const e = error instanceof Error ? error : new Error(String(error));
      port.post({ id: req.id, ok: false, error: e.message, name: e.name }, []);
    },
  );
});
