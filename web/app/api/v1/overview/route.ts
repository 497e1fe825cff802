import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { loadOverview } from '@/lib/dashboard/overview';
import { overviewQuery } from '@/lib/dashboard/query';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Every model at a glance over [from, to) (default the last 24 hours), `buckets` sparkline steps. */
export const GET = withAuth('viewer', async (req: Request) => {
  const parsed = overviewQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return badRequest(parsed.error.issues);
  return Response.json(await loadOverview(runtime(), parsed.data));
});
