import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './osprey-process';

const run = promisify(execFile);
export const OSPREY_BIN = join(REPO_ROOT, 'cli', 'bin', 'osprey.js');

/** Runs a one-shot `osprey` command (sql, keys, migrate) on a data directory. */
export function ospreyCommand(dataDir: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [OSPREY_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, OSPREY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
  });
}

/** `osprey sql` answered as rows of strings. */
export async function sqlRows(dataDir: string, statement: string): Promise<string[][]> {
  const { stdout } = await ospreyCommand(dataDir, ['sql', statement]);
  return stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'));
}
