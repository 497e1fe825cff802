import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { StoreEnv } from '../config';
import type { SecretsEnv } from './config';
import { parseKey, SecretKeyError, SecretKeyring } from './keyring';

export const KEY_FILE = 'secret.key';

export interface OpenedKeyring {
  keyring: SecretKeyring;
  /** Where the key came from, for the start-up log line (never the key). */
  source: 'OSPREY_SECRET_KEY' | 'generated' | 'key file';
  keyFile?: string;
}

/**
 * The keyring from OSPREY_SECRET_KEY (+ _PREVIOUS). Without it: embedded (one data directory), a
 * key generated once into OSPREY_DATA_DIR/secret.key (mode 0600); with a ClickHouse server, where
 * processes share no directory and each would make its own key, an error.
 */
export function openKeyring(
  env: SecretsEnv & Pick<StoreEnv, 'OSPREY_DATA_DIR' | 'CLICKHOUSE_URL'>,
): OpenedKeyring {
  const previous = env.OSPREY_SECRET_KEY_PREVIOUS.split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseKey('OSPREY_SECRET_KEY_PREVIOUS', k));
  if (env.OSPREY_SECRET_KEY) {
    return {
      keyring: new SecretKeyring(parseKey('OSPREY_SECRET_KEY', env.OSPREY_SECRET_KEY), previous),
      source: 'OSPREY_SECRET_KEY',
    };
  }
  if (env.CLICKHOUSE_URL)
    throw new SecretKeyError(
      'OSPREY_SECRET_KEY is not set: with a ClickHouse server every process that reads or writes alert channels needs the same key (openssl rand -base64 32, from a Kubernetes Secret)',
    );
  const dir = resolve(env.OSPREY_DATA_DIR);
  const keyFile = join(dir, KEY_FILE);
  mkdirSync(dir, { recursive: true });
  let source: OpenedKeyring['source'] = 'key file';
  try {
    const fd = openSync(keyFile, 'wx', 0o600);
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    closeSync(fd);
    source = 'generated';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = parseKey(keyFile, readFileSync(keyFile, 'utf8'));
  return { keyring: new SecretKeyring(key, previous), source, keyFile };
}
