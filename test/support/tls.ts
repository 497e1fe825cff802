import { execFile } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
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

export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTPS request trusting `ca` (fetch cannot be given a CA). */
export function httpsRequest(
  url: string,
  opts: { ca: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
