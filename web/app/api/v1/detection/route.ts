import { withAuth } from '@/lib/api/with-auth';
import { detectionProgress } from '@/lib/dashboard/detection';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * The detector scheduler's progress: `{state: "starting" | "backfilling" | "current", done, total}`,
 * or `null` when the scheduler does not run in this process.
 */
export const GET = withAuth('viewer', async () =>
  Response.json({ progress: detectionProgress(runtime()) }),
);
