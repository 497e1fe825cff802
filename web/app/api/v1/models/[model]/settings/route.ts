import { loadSettings, modelSettings, saveSettings } from '@osprey/detectors';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** The model's detector settings, defaults filled in. */
export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) => {
  const { model } = await ctx.params;
  return Response.json(await loadSettings(runtime().store, model));
});

/** Replaces the model's detector settings (omitted fields take their defaults). */
export const PUT = withAuth('editor', async (req: Request, ctx: Ctx, caller) => {
  const { model } = await ctx.params;
  const parsed = modelSettings.safeParse(await jsonBody(req));
  if (!parsed.success) return badRequest(parsed.error.issues);
  const saved = await saveSettings(runtime().store, model, parsed.data, caller.actor);
  await caller.audit('model.settings', model, saved);
  return Response.json(saved);
});
