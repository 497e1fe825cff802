import { listAlerts } from '@osprey/detectors';
import { z } from 'zod';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const query = z.object({
  state: z
    .enum(['pending', 'firing', 'resolved', 'inactive'], {
      error: 'must be pending, firing, resolved or inactive',
    })
    .optional(),
  model: z.string().min(1).max(256).optional(),
});

/** Alert instances as they stand now (firing first): `?state=firing`, `?model=`. */
export const GET = withAuth('viewer', async (req: Request) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return badRequest(parsed.error.issues);
  return Response.json(await listAlerts(runtime().store, parsed.data));
});
