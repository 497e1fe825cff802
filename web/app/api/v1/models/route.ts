import { listModels } from '@osprey/db';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = withAuth('viewer', async () => Response.json(await listModels(runtime().store)));
