import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './osprey-process';
import { testCerts } from './test-certs';

/**
 * The OSPREY_SECRET_KEY every role of one test shares: with a ClickHouse server (here the
 * stand-in) the processes that read or write channel secrets refuse to start without one.
 */
export const ROLES_SECRET_KEY = randomBytes(32).toString('base64');

export interface StandinProcess {
  url: string;
  /** With `tls`: the CA file a client must trust. */
  caFile?: string;
  dataDir: string;
  child: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(REPO_ROOT, 'test', 'support', 'clickhouse-standin-main.ts');

/** Starts the TEST-ONLY ClickHouse-HTTP stand-in over chDB as its own process. */
export async function startStandinProcess(
  opts: { tls?: boolean; user?: string; password?: string; dataDir?: string } = {},
): Promise<StandinProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'osprey-standin-'));
  const certs = opts.tls ? testCerts() : undefined;
  const child = spawn(TSX, [MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      STANDIN_DATA_DIR: dataDir,
      ...(certs ? { STANDIN_TLS_CERT: certs.certFile, STANDIN_TLS_KEY: certs.keyFile } : {}),
      ...(opts.user ? { STANDIN_USER: opts.user, STANDIN_PASSWORD: opts.password ?? '' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let line = '';
    child.stdout!.on('data', (d: Buffer) => {
      line += d.toString();
      output += d.toString();
      const match = /\{"url":"([^"]+)"\}/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`stand-in did not start in 60 s:\n${output}`)), 60_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    caFile: certs?.caFile,
    dataDir,
    child,
    logs: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
