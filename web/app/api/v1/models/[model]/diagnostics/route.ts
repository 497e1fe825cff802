import { diagnosticsQuery, modelDiagnostics } from '@/lib/api/diagnostics';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Where a model fails over [from, to) (default the last 24 hours), from its predictions that
 * have labels: confusion matrix, calibration, ROC and precision–recall curves, residuals and
 * performance per tag value. Computed on request (labels arrive late); a repeat is answered from
 * the last computation while no label or prediction arrived since.
 */
export const GET = withAuth(
  'viewer',
  async (req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    const parsed = diagnosticsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) return badRequest(parsed.error.issues);
    return Response.json(await modelDiagnostics(runtime().store, model, parsed.data));
  },
);
