import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const OSPREY_BIN = join(REPO_ROOT, 'cli', 'bin', 'osprey.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface OspreyProcess {
  url: string;
  port: number;
  apiKey: string;
  dataDir: string;
  child: ChildProcess;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the real `osprey` command in a child process on a free port and a fresh data directory. */
export async function startOsprey(
  opts: {
    args?: string[];
    env?: Record<string, string>;
    dataDir?: string;
    apiKey?: string;
    port?: number;
    /** Flags for node itself, e.g. --cpu-prof when profiling. */
    nodeArgs?: string[];
    /** How long it may take to answer /healthz (many processes starting at once take longer). */
    healthyWithinMs?: number;
    /** The process serves HTTPS (OSPREY_TLS_CERT/KEY in env): the CA its certificate chains to. */
    tlsCaFile?: string;
  } = {},
): Promise<OspreyProcess> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'osprey-test-'));
  const apiKey = opts.apiKey ?? `osp_test_${Math.random().toString(36).slice(2)}${Date.now()}`;
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), OSPREY_BIN, ...(opts.args ?? ['start'])],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        OSPREY_PORT: String(port),
        OSPREY_HOST: '127.0.0.1',
        OSPREY_DATA_DIR: dataDir,
        OSPREY_API_KEY: apiKey,
        LOG_LEVEL: 'warn',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `${opts.tlsCaFile ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ca = opts.tlsCaFile ? readFileSync(opts.tlsCaFile, 'utf8') : undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const healthyWithinMs = opts.healthyWithinMs ?? 60_000;
  const deadline = Date.now() + healthyWithinMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`osprey exited with ${child.exitCode}:\n${output}`);
    try {
      if (
        ca ? (await httpsStatus(`${url}/healthz`, ca)) === 200 : (await fetch(`${url}/healthz`)).ok
      )
        break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`osprey did not become healthy in ${healthyWithinMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    apiKey,
    dataDir,
    child,
    logs: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The status of a GET over HTTPS trusting `ca` (fetch cannot be given a CA). */
export function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}
