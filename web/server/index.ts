import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { registerRuntime, type WebRuntime } from './runtime';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const WEB_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** Prepares the built Next.js app in this process and returns its request handler. */
export async function createWebHandler(opts: {
  runtime: WebRuntime;
  dev?: boolean;
}): Promise<RequestHandler> {
  const dev = opts.dev ?? false;
  if (!dev && !existsSync(join(WEB_DIR, '.next', 'BUILD_ID'))) {
    throw new Error('the dashboard is not built: run `npm run build` (npm start does it for you)');
  }
  if (!dev) useBuiltConfig();
  registerRuntime(opts.runtime);
  process.env.NEXT_TELEMETRY_DISABLED ??= '1'; // self-hosted: nothing phones home
  const app = next({ dev, dir: WEB_DIR });
  await app.prepare();
  const handle = app.getRequestHandler();
  return (req, res) => handle(req, res);
}

/**
 * Serves with the configuration the dashboard was built with, as Next's standalone server does,
 * instead of compiling next.config.ts again at start: that needs Next's native compiler, which
 * the container image leaves out (it is only for building), and costs start-up time everywhere.
 */
function useBuiltConfig(): void {
  const built = join(WEB_DIR, '.next', 'required-server-files.json');
  if (process.env.__NEXT_PRIVATE_STANDALONE_CONFIG || !existsSync(built)) return;
  const { config } = JSON.parse(readFileSync(built, 'utf8')) as { config: unknown };
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}
