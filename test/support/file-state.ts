import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

/**
 * What is at `path` now, to compare before and after a statement that must write nothing there.
 * The path may be shared (e.g. /tmp/x on a CI machine): it may be missing, a file or a directory.
 */
export function fileState(
  path: string,
): { kind: 'file' | 'directory'; mtimeMs: number; content: string } | null {
  if (!existsSync(path)) return null;
  const stat = statSync(path);
  return stat.isDirectory()
    ? { kind: 'directory', mtimeMs: stat.mtimeMs, content: readdirSync(path).sort().join('\n') }
    : { kind: 'file', mtimeMs: stat.mtimeMs, content: readFileSync(path, 'utf8') };
}
