import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './osprey-process';

const run = promisify(execFile);
const DIR = join(REPO_ROOT, 'deploy', 'tls', '.cache');

export interface TestCerts {
  dir: string;
  caFile: string;
  /** Certificate for localhost, 127.0.0.1 and ::1, signed by the CA. */
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** The development CA and its certificates (deploy/tls/dev-certs.sh, made once, cached). */
export async function ensureTestCerts(): Promise<TestCerts> {
  await run('bash', [join(REPO_ROOT, 'deploy', 'tls', 'dev-certs.sh'), DIR], { timeout: 60_000 });
  return {
    dir: DIR,
    caFile: join(DIR, 'ca.pem'),
    serverCertFile: join(DIR, 'server.pem'),
    serverKeyFile: join(DIR, 'server.key'),
    clientCertFile: join(DIR, 'client.pem'),
    clientKeyFile: join(DIR, 'client.key'),
  };
}
