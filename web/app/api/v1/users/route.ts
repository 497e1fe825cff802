import { createUser, listUsers } from '@osprey/db';
import { badRequest, jsonBody } from '@/lib/api/request';
import { orUserError, userCreateBody } from '@/lib/api/users';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = withAuth('admin', async () => Response.json(await listUsers(runtime().store)));

export const POST = withAuth('admin', async (req: Request, _ctx, caller) =>
  orUserError(async () => {
    const parsed = userCreateBody.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const user = await createUser(runtime().store, parsed.data);
    await caller.audit('user.create', user.id, { email: user.email, role: user.role });
    return Response.json(user, { status: 201 });
  }),
);
