import type { HttpServer } from './http-server';
import type { Logger } from 'pino';

/** On SIGINT/SIGTERM: stop taking requests, let `stop` flush what was accepted, then exit. */
export function onShutdown(logger: Logger, stop: () => Promise<void>, server?: HttpServer): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // No new requests from here. A connection whose response ends after this (its client had not
    // read the body yet) would otherwise hold the server open for seconds: close each as soon as
    // it is idle.
    server?.closeIdleConnections();
    setInterval(() => server?.closeIdleConnections(), 100).unref();
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
