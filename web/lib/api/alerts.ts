import type { Alerts } from '@osprey/detectors';
import { runtime } from '@/server/runtime';

/** The process's alert engine; route handlers call into it. */
export function alerts(): Alerts {
  const current = runtime().alerts;
  if (!current) throw new Error('the alert engine is not running in this process');
  return current;
}

/** FieldError → 400 naming the field, NotFoundError → 404; anything else propagates. */
export async function orAlertError(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    // By name, not instanceof: an error thrown by the runtime's alerts (loaded by the launcher)
    // is of another copy of the class than the one the dashboard's bundle would import (and the
    // bundle's class names are minified; the errors set theirs as strings).
    const name = err instanceof Error ? err.name : '';
    if (name === 'FieldError')
      return Response.json({ error: (err as Error).message }, { status: 400 });
    if (name === 'NotFoundError')
      return Response.json({ error: (err as Error).message }, { status: 404 });
    throw err;
  }
}
