import type { NextConfig } from 'next';

/**
 * On every response, pages and API alike (the CSP, which needs a nonce per page, is set in
 * proxy.ts). `same-origin` keeps the full Referer and Origin, which the CSRF check reads, on the
 * dashboard's own requests and sends nothing to other sites. Kept here, not imported: the config
 * is compiled on its own when the server starts.
 */
const SECURITY_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];

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
  headers: async () => [{ source: '/:path*', headers: SECURITY_HEADERS }],
  typedRoutes: false,
  // The container image (deploy/docker/Dockerfile) builds with OSPREY_NEXT_OUTPUT=standalone and
  // keeps only the traced part of `next` that the server loads.
  ...(process.env.OSPREY_NEXT_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  // `npm test` and CI type-check web with `tsc -p web` (turbo run typecheck); checking again inside
  // `next build` cost a quarter of its CPU time, which every `npm start` on a fresh clone paid.
  typescript: { ignoreBuildErrors: true },
  // Turbopack's build cache speeds a rebuild but writing it slowed the first build of a checkout
  // from 71 s to 129 s (docs/benchmarks.md): scripts/setup.sh turns it off for that first build.
  experimental: { turbopackFileSystemCacheForBuild: process.env.OSPREY_NEXT_BUILD_CACHE !== 'off' },
};

export default config;
