import type { NextConfig } from 'next';
import { STATIC_SECURITY_HEADERS } from './lib/security/headers';

const config: NextConfig = {
  // Native and Node-only packages are loaded by Node at run time, never bundled.
  serverExternalPackages: [
    'chdb',
    '@clickhouse/client',
    'onnxruntime-node',
    'pino',
    'prom-client',
    'nodemailer',
  ],
  // Workspace packages are TypeScript source; Next compiles them with the app.
  transpilePackages: ['@osprey/db', '@osprey/detectors', '@osprey/shadow-runner'],
  poweredByHeader: false,
  // The CSP, which needs a nonce per page, is set in proxy.ts.
  headers: async () => [{ source: '/:path*', headers: STATIC_SECURITY_HEADERS }],
  typedRoutes: false,
};

export default config;
