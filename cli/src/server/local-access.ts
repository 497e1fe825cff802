import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  findApiKeyByHash,
  hashApiKey,
  type ApiKey,
  type ApiKeyLookup,
  type Store,
} from '@osprey/db';

/**
 * How one-shot commands reach a running embedded server. libchdb binds a data directory to one
 * process, so while `osprey start` runs, `osprey keys create` cannot open the store itself: it
 * asks the server instead, through the REST API. The server writes `server.json` into its data
 * directory — its URL, its pid and a random admin token, readable by its owner only (0600) — and
 * accepts that token as an admin key until it stops. Whoever can read the file can read the data
 * directory, which holds every row anyway, so the token grants nothing new.
 */
export const SERVER_FILE = 'server.json';

export interface ServerFile {
  url: string;
  pid: number;
  token: string;
}

/** The identity the token acts as: in audit_log rows, `api_key:local-cli`. */
export const LOCAL_ADMIN: ApiKey = {
  id: 'local-cli',
  name: 'osprey CLI (server.json in the data directory)',
  prefix: 'local',
  scopes: ['ingest', 'read', 'admin'],
  created_at: new Date(0).toISOString(),
  revoked_at: null,
};

/** The server's side: a fresh token, accepted beside the stored keys, published once it listens. */
export function createLocalAccess(dataDir: string) {
  const token = `osp_local_${randomBytes(32).toString('base64url')}`;
  const tokenHash = hashApiKey(token);
  const file = join(resolve(dataDir), SERVER_FILE);
  return {
    /** The store's key lookup, with the token as one more admin key. */
    lookup(store: Store): ApiKeyLookup {
      return async (hash) => (hash === tokenHash ? LOCAL_ADMIN : findApiKeyByHash(store, hash));
    },
    publish(url: string): void {
      const body: ServerFile = { url, pid: process.pid, token };
      const temp = `${file}.${process.pid}.tmp`;
      rmSync(temp, { force: true }); // a leftover would keep its own mode: write a new file
      writeFileSync(temp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
      renameSync(temp, file);
    },
    /** Removes the file, unless a newer server has written its own since. */
    withdraw(): void {
      if (readServerFile(dataDir)?.token === token) rmSync(file, { force: true });
    },
  };
}

/** The URL a process on this machine reaches a server on, listening on `host`. */
export function localUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export function readServerFile(dataDir: string): ServerFile | undefined {
  let text: string;
  try {
    text = readFileSync(join(resolve(dataDir), SERVER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ServerFile>;
    if (
      typeof parsed.url === 'string' &&
      typeof parsed.token === 'string' &&
      Number.isInteger(parsed.pid)
    )
      return parsed as ServerFile;
  } catch {
    // a torn or foreign file: no server to talk to
  }
  return undefined;
}

/** The server running on `dataDir`, if its file is there and its process is alive. */
export function runningServer(dataDir: string): ServerFile | undefined {
  const server = readServerFile(dataDir);
  if (!server) return undefined;
  try {
    process.kill(server.pid, 0);
    return server;
  } catch (error) {
    // EPERM: alive, another user's; ESRCH: gone (killed without removing its file)
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? server : undefined;
  }
}
