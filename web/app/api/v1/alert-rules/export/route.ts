import { exportRules } from '@osprey/detectors';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Every rule as a JSON file to keep in git; POST …/import takes it back. */
export const GET = withAuth('viewer', async () =>
  Response.json(await exportRules(runtime().store), {
    headers: { 'content-disposition': 'attachment; filename="osprey-alert-rules.json"' },
  }),
);
