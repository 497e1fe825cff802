import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { answerCall, type PrimaryMethods } from './calls';

/** More deaths than this within RESTART_WINDOW_MS means the workers cannot run: give up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;
/** Workers flush on SIGTERM within their own 15 s; after this they are killed. */
const STOP_TIMEOUT_MS = 20_000;

/**
 * The primary of a role that runs as several processes on one port (node:cluster; the kernel
 * spreads connections over them). It forks `count` workers of this same command, answers their
 * calls (calls.ts; `metrics` is the workers' registries summed by prom-client), replaces a worker
 * that dies — unless they keep dying, then it exits 1 — and on SIGINT/SIGTERM stops the workers,
 * each flushing what it accepted, before its own `stop`. Resolves once every worker listens.
 */
export async function superviseWorkers(opts: {
  count: number;
  logger: Logger;
  what: string;
  methods: PrimaryMethods;
  stop: () => Promise<void>;
}): Promise<void> {
  const { logger } = opts;
  const aggregator = new AggregatorRegistry();
  const methods: PrimaryMethods = {
    ...opts.methods,
    metrics: () => aggregator.clusterMetrics(),
  };
  const deaths: number[] = [];
  let stopping = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) =>
      answerCall(methods, message, (reply) => {
        if (worker.isConnected()) worker.send(reply);
      }),
    );
    return worker;
  };

  const stopAll = async (code: number) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const exited = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));
    for (const w of workers) w.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      logger.error('workers did not stop in time; killing them');
      for (const w of workers) w.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await Promise.all(exited);
    clearTimeout(killer);
    await opts.stop();
    process.exit(code);
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
    if (deaths.length > MAX_RESTARTS) {
      logger.fatal(
        { restarts: deaths.length, windowMs: RESTART_WINDOW_MS },
        `${opts.what} workers keep dying; stopping`,
      );
      void stopAll(1);
      return;
    }
    logger.error(
      { workerPid: worker.process.pid, code, signal },
      `${opts.what} worker died; replacing it`,
    );
    fork();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      logger.info({ signal }, 'shutting down');
      void stopAll(0);
    });
  }

  const listening = new Promise<void>((resolve) => {
    let up = 0;
    const onListening = () => {
      if (++up < opts.count) return;
      cluster.off('listening', onListening);
      resolve();
    };
    cluster.on('listening', onListening);
  });
  for (let i = 0; i < opts.count; i++) fork();
  await listening;
  logger.info({ processes: opts.count }, `${opts.what} is up in ${opts.count} processes`);
}
