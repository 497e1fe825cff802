import { readFileSync } from 'node:fs';
import { ConfigError } from './config';

/**
 * The PEM text of a certificate or key file named by `variable` (e.g. KAFKA_SSL_CA_FILE), or an
 * error naming the variable, the path and what is wrong: unreadable, or not PEM at all.
 */
export function readPemFile(
  variable: string,
  path: string,
  fail: (message: string) => Error = (message) => new ConfigError(message),
): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fail(
      `${variable}=${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (!text.includes('-----BEGIN '))
    throw fail(`${variable}=${path} is not a PEM file (no -----BEGIN line)`);
  return text;
}
