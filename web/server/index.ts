import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { registerRuntime, type WebRuntime } from './runtime';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const WEB_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** Prepares the built Next.js app in this process and returns its request handler. */
export async function createWebHandler(opts: { runtime: WebRuntime; dev?: boolean }): Promise<RequestHandler> {
  registerRuntime(opts.runtime);
  process.env.NEXT_TELEMETRY_DISABLED ??= '1'; // self-hosted: nothing phones home
  const app = next({ dev: opts.dev ?? false, dir: WEB_DIR });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}
