import type { NextConfig } from 'next';

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
  typedRoutes: false,
};

export default config;
