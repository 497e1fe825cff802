import { listNotifications } from '@osprey/detectors';
import { z } from 'zod';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const query = z.object({
  channel_id: z.uuid({ error: 'must be a channel id' }).optional(),
  delivery_id: z.uuid({ error: 'must be a delivery id' }).optional(),
  model: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

/** The notification log: every delivery attempt (status, attempt, response code, error). */
export const GET = withAuth('viewer', async (req: Request) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return badRequest(parsed.error.issues);
  return Response.json(await listNotifications(runtime().store, parsed.data));
});
