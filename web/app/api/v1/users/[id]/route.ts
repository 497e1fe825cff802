import { deleteUser, revokeUserSessions, updateUser } from '@osprey/db';
import { badRequest, jsonBody } from '@/lib/api/request';
import { orUserError, userUpdateBody } from '@/lib/api/users';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Changes email, name, role or password; a new password signs the user out everywhere. */
export const PUT = withAuth('admin', async (req: Request, ctx: Ctx, caller) =>
  orUserError(async () => {
    const { id } = await ctx.params;
    const parsed = userUpdateBody.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const user = await updateUser(store, id, parsed.data);
    if (parsed.data.password !== undefined) await revokeUserSessions(store, id);
    const { password, ...details } = parsed.data;
    await caller.audit('user.update', id, { ...details, password_changed: password !== undefined });
    return Response.json(user);
  }),
);

/** Deletes the user and ends their sessions. The last admin cannot be deleted (409). */
export const DELETE = withAuth('admin', async (_req: Request, ctx: Ctx, caller) =>
  orUserError(async () => {
    const { id } = await ctx.params;
    const { store } = runtime();
    const user = await deleteUser(store, id);
    await revokeUserSessions(store, id);
    await caller.audit('user.delete', id, { email: user.email });
    return Response.json(user);
  }),
);
