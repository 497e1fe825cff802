import { detectWindow } from '@osprey/detectors';
import { withStore } from './with-store';

/** `osprey detect --model M --from T1 --to T2 [--version V]`: detect one range now, print JSON. */
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
  const detection = await withStore({ migrate: true }, (store) =>
    detectWindow(store, { model, window, version: opts.version }),
  );
  console.log(JSON.stringify(detection, null, 2));
}
