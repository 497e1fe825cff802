import { embeddingMap, loadSettings, nearestExamples } from '@osprey/detectors';
import type { Store } from '@osprey/db';
import { z } from 'zod';
import { diagnosticsQuery } from '@/lib/api/diagnostics';

/** GET …/embeddings/{name}/map?from&to&version: the range as the diagnostics read it. */
export const embeddingMapQuery = diagnosticsQuery;

const eventIdQuery = z.object({ event_id: z.uuid({ error: 'must be a UUID' }) });

/** GET …/embeddings/{name}/neighbors?from&to&version&event_id: the range, and the event. */
export function parseNeighborsQuery(
  params: Record<string, string>,
):
  | { data: z.output<typeof diagnosticsQuery> & { eventId: string } }
  | { issues: z.core.$ZodIssue[] } {
  const id = eventIdQuery.safeParse(params);
  if (!id.success) return { issues: id.error.issues };
  const range = diagnosticsQuery.safeParse(params);
  if (!range.success) return { issues: range.error.issues };
  return { data: { ...range.data, eventId: id.data.event_id } };
}

type Range = z.output<typeof diagnosticsQuery>;

export async function modelEmbeddingMap(store: Store, model: string, name: string, q: Range) {
  const settings = await loadSettings(store, model);
  return embeddingMap(store, settings, { model, window: q.window, version: q.version }, name);
}

export async function modelNeighbors(
  store: Store,
  model: string,
  name: string,
  q: Range & { eventId: string },
) {
  const settings = await loadSettings(store, model);
  const scope = { model, window: q.window, version: q.version };
  return nearestExamples(store, settings, scope, name, q.eventId);
}
