import type { Models } from '@osprey/shadow-runner';
import { runtime } from '@/server/runtime';

/** The process's model registry and deployment log (created by the launcher, like the store). */
export function models(): Models {
  const current = runtime().models;
  if (!current) throw new Error('the model registry is not running in this process');
  return current;
}

/**
 * A RegistryError → its status with `{error}` (400s name the field). Matched by name, not
 * instanceof: the registry object comes from the launcher's module graph, not the app's.
 */
export async function orRegistryError(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && err.name === 'RegistryError' && 'status' in err)
      return Response.json({ error: err.message }, { status: err.status as number });
    throw err;
  }
}
