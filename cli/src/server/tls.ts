import { readPemFile } from '@osprey/db';
import { z } from 'zod';

/** HTTPS served by `osprey` itself: both files or neither (then plain HTTP, e.g. behind a proxy). */
export const serverTlsEnv = z.object({
  /** PEM certificate chain (the server's certificate first, then intermediates). */
  OSPREY_TLS_CERT: z.string().min(1).optional(),
  /** PEM private key of that certificate (unencrypted; mount it from a Secret, mode 0400). */
  OSPREY_TLS_KEY: z.string().min(1).optional(),
});
export type ServerTlsEnv = z.infer<typeof serverTlsEnv>;

export interface ServerTls {
  cert: string;
  key: string;
}

/** The certificate and key to serve HTTPS with, or undefined for HTTP; names the variable at fault. */
export function serverTls(env: ServerTlsEnv): ServerTls | undefined {
  const { OSPREY_TLS_CERT: certFile, OSPREY_TLS_KEY: keyFile } = env;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile)
    throw new Error('OSPREY_TLS_CERT and OSPREY_TLS_KEY go together: set both (HTTPS) or neither');
  return {
    cert: readPemFile('OSPREY_TLS_CERT', certFile, plainError),
    key: readPemFile('OSPREY_TLS_KEY', keyFile, plainError),
  };
}

/** Whether the process serves HTTPS: the scheme of its own URLs (the default OSPREY_PUBLIC_URL). */
export const servesHttps = (env: ServerTlsEnv) => Boolean(env.OSPREY_TLS_CERT);

const plainError = (message: string) => new Error(message);
