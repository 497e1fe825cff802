import { listAlertEvents } from '@osprey/detectors';
import { z } from 'zod';
import { optionalRange } from '@/lib/api/time-range';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const query = optionalRange.and(
  z.object({
    model: z.string().min(1).max(256).optional(),
    fingerprint: z.string().min(1).max(64).optional(),
    event: z
      .enum(['pending', 'firing', 'resolved', 'inactive', 'action'], {
        error: 'must be pending, firing, resolved, inactive or action',
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(100),
  }),
);

/** The alert history, newest first: every transition and action. */
export const GET = withAuth('viewer', async (req: Request) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return badRequest(parsed.error.issues);
  const { from, to, ...rest } = parsed.data;
  return Response.json(
    await listAlertEvents(runtime().store, {
      ...rest,
      ...(from && to && { from: Date.parse(from), to: Date.parse(to) }),
    }),
  );
});
