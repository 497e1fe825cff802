import { listModels } from '@osprey/db';
import { withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = withApiKey('read', async () => Response.json(await listModels(runtime().store)));
