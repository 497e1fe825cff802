import { FieldError, NotFoundError, type Alerts } from '@osprey/detectors';
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
    if (err instanceof FieldError) return Response.json({ error: err.message }, { status: 400 });
    if (err instanceof NotFoundError) return Response.json({ error: err.message }, { status: 404 });
    throw err;
  }
}
