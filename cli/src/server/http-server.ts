import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Collector } from '@osprey/ingest';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { BodyGuard, longestBodyMs, requestLimits, type RequestLimits } from './request-limits';
import { stampClientAddress, type TrustedProxies } from './client-address';
import { onShutdown } from './shutdown';
import type { ServerTls } from './tls';

/** What every role listens with: HTTP, or HTTPS when OSPREY_TLS_CERT/KEY are set. */
export type HttpServer = Server | HttpsServer;

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What `/metrics` serves: the process's registry, or one collected across processes. */
export type MetricsSource = Pick<Registry, 'metrics' | 'contentType'>;

/**
 * One port for everything a process serves: `/healthz` and `/metrics` for operators, the
 * collector's `/v1/*`, then the dashboard and `/api/v1/*` (Next.js) for the rest. Every request
 * body is held to its route's cap and deadlines first (request-limits.ts).
 */
export function createHttpServer(parts: {
  logger: Logger;
  registry: MetricsSource;
  healthy: () => Promise<boolean>;
  collector?: Collector;
  web?: Handler;
  /** Body caps and deadlines; the defaults where a role does not configure them. */
  limits?: RequestLimits;
  /** OSPREY_TRUSTED_PROXIES: whose X-Forwarded-For the client address is read from. */
  trustedProxies?: TrustedProxies;
  /** Serve HTTPS with this certificate (serverTls(env)); HTTP without. */
  tls?: ServerTls;
}): HttpServer {
  const { logger, registry } = parts;
  const limits = parts.limits ?? requestLimits({});
  const guard = new BodyGuard(limits);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!guard.admit(req, res, path)) return;
    if (path === '/healthz') {
      void parts
        .healthy()
        .catch(() => false)
        .then((ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
        });
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => {
          logger.error({ err }, 'metrics could not be collected');
          res.writeHead(500).end();
        },
      );
      return;
    }
    if (parts.collector?.handle(req, res)) return;
    if (parts.web) {
      stampClientAddress(req, parts.trustedProxies);
      parts.web(req, res).catch((err: unknown) => {
        logger.error({ err, path }, 'web request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  };
  const server: HttpServer = parts.tls
    ? createHttpsServer(
        // A client that stalls in the handshake is held to the same deadline as one that stalls
        // in its headers; plain HTTP sent to this port fails the handshake and is closed.
        { ...parts.tls, handshakeTimeout: limits.bodyMs },
        handler,
      )
    : createServer(handler);
  if (parts.tls) {
    server.on('tlsClientError', (err: Error & { code?: string }) => {
      logger.debug({ code: err.code, reason: err.message }, 'TLS handshake refused');
    });
  }
  // Node's own whole-request timeout (300 s by default) stays behind every route's deadline; the
  // headers have the ordinary body deadline.
  server.requestTimeout = longestBodyMs(limits) + 5_000;
  server.headersTimeout = Math.min(limits.bodyMs, server.requestTimeout);
  return server;
}

export function listen(server: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use; set OSPREY_PORT to a free port`)
          : err,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Every long-running role ends the same way: listen, say so, and on SIGINT/SIGTERM stop taking
 * requests first, then run the role's own `stop` (flush, disconnect, close the store).
 */
export async function serve(opts: {
  server: HttpServer;
  logger: Logger;
  port: number;
  host: string;
  what: string;
  details?: Record<string, unknown>;
  /** Runs before the server closes, while it still answers (e.g. the demo's own SDK flush). */
  beforeClose?: () => Promise<void>;
  stop: () => Promise<void>;
}): Promise<number> {
  const port = await listen(opts.server, opts.port, opts.host);
  opts.logger.info(
    { port, url: `${scheme(opts.server)}://localhost:${port}`, ...opts.details },
    `${opts.what} is up`,
  );
  onShutdown(
    opts.logger,
    async () => {
      await opts.beforeClose?.();
      await new Promise<void>((resolve) => opts.server.close(() => resolve()));
      await opts.stop();
    },
    opts.server,
  );
  return port;
}

const scheme = (server: HttpServer) => ('setSecureContext' in server ? 'https' : 'http');
