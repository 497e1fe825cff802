import { resolve } from 'node:path';
import type { StoreEnv } from '@osprey/db';
import { runningServer, type ServerFile } from '../server/local-access';

/**
 * The running embedded `osprey start` that holds this command's data directory, if any. With
 * CLICKHOUSE_URL the store is a server that many processes share: no one holds it.
 */
export function serverHoldingStore(env: StoreEnv): ServerFile | undefined {
  return env.CLICKHOUSE_URL ? undefined : runningServer(env.OSPREY_DATA_DIR);
}

/** One line for a command that cannot go through the API while the server holds the store. */
export function heldByServer(env: StoreEnv, server: ServerFile, whatToDo: string): Error {
  return new Error(
    `the data directory ${resolve(env.OSPREY_DATA_DIR)} is held by the running Osprey server (pid ${server.pid}, ${server.url}): ${whatToDo}`,
  );
}

/** A REST call to the running server with the admin token from its server.json. */
export async function callServer<T>(
  server: ServerFile,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, server.url), {
      method,
      headers: {
        authorization: `Bearer ${server.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new Error(
      `the Osprey server (pid ${server.pid}) holds the data directory but did not answer at ${server.url}: ${(error as Error).message}`,
    );
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`the running server answered ${res.status}: ${errorOf(text)}`);
  return JSON.parse(text) as T;
}

function errorOf(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: unknown; issues?: unknown };
    return typeof json.error === 'string' ? json.error : text;
  } catch {
    return text.slice(0, 500);
  }
}

/**
 * chDB could not open the directory. Its reason (e.g. `Cannot lock file …/status. Another server
 * instance in same directory is already running`) goes from native code straight to stderr; the
 * error itself only says "Failed to create connection for path …".
 */
export function isOpenFailure(error: unknown): boolean {
  const texts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) texts.push(e.message);
  return texts.some((t) => /Failed to create connection for path|Cannot lock file/.test(t));
}
