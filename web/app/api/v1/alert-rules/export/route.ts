import { exportRules } from '@osprey/detectors';
import { withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Every rule as a JSON file to keep in git; POST …/import takes it back. */
export const GET = withApiKey('read', async () =>
  Response.json(await exportRules(runtime().store), {
    headers: { 'content-disposition': 'attachment; filename="osprey-alert-rules.json"' },
  }),
);
