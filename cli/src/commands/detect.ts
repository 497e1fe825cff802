import { parseEnv } from '@osprey/db';
import { detectRange } from '@osprey/detectors';
import { detectCommandEnv } from '../env';
import { createLogger } from '../logger';
import { openAlerts } from '../roles/alerts';
import { callServer, serverHoldingStore } from './via-server';
import { withStore } from './with-store';

/**
 * `osprey detect --model M --from T1 --to T2 [--version V]`: detect the model's windows in the
 * range now (widened to window edges, as POST …/detect does), print JSON.
 * Alert rules are evaluated as after any detection; the notifications they queue are sent by the
 * delivery worker of the running deployment (`osprey start` or `osprey detectors`), not by this
 * short-lived command. While `osprey start` holds the data directory, it runs the detection
 * through the server's API instead.
 */
export async function detectCommand(opts: {
  model?: string;
  from?: string;
  to?: string;
  version?: string;
}): Promise<void> {
  const { model, from, to } = opts;
  if (!model || !from || !to) throw new Error('detect needs --model, --from and --to');
  const window = { from: Date.parse(from), to: Date.parse(to) };
  if (Number.isNaN(window.from)) throw new Error(`--from: "${from}" is not an ISO-8601 time`);
  if (Number.isNaN(window.to)) throw new Error(`--to: "${to}" is not an ISO-8601 time`);
  if (window.from >= window.to) throw new Error('--from: must be before --to');
  const env = parseEnv(detectCommandEnv);
  const server = serverHoldingStore(env);
  if (server) {
    // The running server detects, stores and evaluates the rules, as `POST …/detect` does.
    const path = `/api/v1/models/${encodeURIComponent(model)}/detect`;
    const body = { from, to, ...(opts.version ? { version: opts.version } : {}) };
    console.log(JSON.stringify(await callServer(server, 'POST', path, body), null, 2));
    return;
  }
  const logger = createLogger(env.LOG_LEVEL, 'osprey-detect');
  const detection = await withStore({ migrate: true, whileServerRuns: 'stop it first' }, (store) =>
    detectRange(store, {
      model,
      ...window,
      version: opts.version,
      alerts: openAlerts(store, env, logger).engine,
    }),
  );
  console.log(JSON.stringify(detection, null, 2));
}
