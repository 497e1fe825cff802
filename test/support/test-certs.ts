import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './osprey-process';

export interface TestCerts {
  /** The test CA's certificate: what a client trusts (CLICKHOUSE_CA_FILE). */
  caFile: string;
  /** A server certificate for localhost and 127.0.0.1, signed by the CA. */
  certFile: string;
  keyFile: string;
}

const PARENT = join(REPO_ROOT, '.cache', 'test-certs');
const DIR = join(PARENT, 'standin');

/**
 * A test CA and a server certificate signed by it (openssl), made once and kept (git-ignored).
 * Made in a directory of its own and renamed into place, so test files running at once never
 * mix one's CA with another's certificate.
 */
export function testCerts(): TestCerts {
  const certs = {
    caFile: join(DIR, 'ca.pem'),
    certFile: join(DIR, 'server.pem'),
    keyFile: join(DIR, 'server-key.pem'),
  };
  if (existsSync(certs.certFile)) return certs;
  mkdirSync(PARENT, { recursive: true });
  const tmp = mkdtempSync(join(PARENT, 'making-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: tmp, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    '/CN=Osprey test CA',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server-key.pem',
    '-out',
    'server.csr',
  );
  writeFileSync(join(tmp, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '3650',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  try {
    renameSync(tmp, DIR);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test file made them first
  }
  return certs;
}
