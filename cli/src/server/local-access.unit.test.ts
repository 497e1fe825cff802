import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '@osprey/db';
import { describe, expect, it } from 'vitest';
import {
  LOCAL_ADMIN,
  createLocalAccess,
  localUrl,
  readServerFile,
  runningServer,
} from './local-access';

const dir = () => mkdtempSync(join(tmpdir(), 'osprey-local-access-'));

describe('local access', () => {
  it('publishes url, pid and token 0600, and withdraws only its own file', () => {
    const dataDir = dir();
    const first = createLocalAccess(dataDir);
    first.publish('http://127.0.0.1:3000');
    const file = join(dataDir, 'server.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const published = readServerFile(dataDir)!;
    expect(published).toMatchObject({ url: 'http://127.0.0.1:3000', pid: process.pid });

    const second = createLocalAccess(dataDir);
    second.publish('http://127.0.0.1:3001');
    first.withdraw(); // a newer server's file stays
    expect(readServerFile(dataDir)?.url).toBe('http://127.0.0.1:3001');
    second.withdraw();
    expect(readServerFile(dataDir)).toBeUndefined();
  });

  it('accepts its token as the local admin and leaves every other hash to the store', async () => {
    const dataDir = dir();
    const access = createLocalAccess(dataDir);
    access.publish('http://127.0.0.1:3000');
    const { token } = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as {
      token: string;
    };
    const asked: string[] = [];
    const store = {
      query: async (_sql: string, params: Record<string, string>) => {
        asked.push(Object.values(params).join());
        return [];
      },
    };
    const lookup = access.lookup(store as never);
    expect(await lookup(hashApiKey(token))).toEqual(LOCAL_ADMIN);
    expect(asked).toEqual([]);
    expect(await lookup(hashApiKey('osp_local_guess'))).toBeUndefined();
    expect(asked).toEqual([hashApiKey('osp_local_guess')]);
  });

  it('ignores a torn file and one whose process is gone', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'server.json'), '{"url":"http://127.0.0.1:1",');
    expect(readServerFile(dataDir)).toBeUndefined();
    writeFileSync(
      join(dataDir, 'server.json'),
      JSON.stringify({ url: 'http://127.0.0.1:1', pid: 2 ** 22 + 1, token: 't' }),
    );
    expect(readServerFile(dataDir)).toBeDefined();
    expect(runningServer(dataDir)).toBeUndefined();
  });

  it('reaches a wildcard listener on loopback, a named host as itself', () => {
    expect(localUrl('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000');
    expect(localUrl('::', 3000)).toBe('http://127.0.0.1:3000');
    expect(localUrl('127.0.0.1', 3000)).toBe('http://127.0.0.1:3000');
    expect(localUrl('::1', 3000)).toBe('http://[::1]:3000');
    expect(localUrl('10.0.0.5', 8080)).toBe('http://10.0.0.5:8080');
  });
});
