import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

/** Who the caller is and what role it acts with. */
export const GET = withAuth('viewer', async (_req: Request, _ctx, caller) =>
  Response.json(
    caller.kind === 'user'
      ? { kind: 'user', role: caller.role, user: caller.user }
      : {
          kind: 'api_key',
          role: caller.role,
          api_key: { id: caller.apiKey.id, name: caller.apiKey.name, scopes: caller.apiKey.scopes },
        },
  ),
);
