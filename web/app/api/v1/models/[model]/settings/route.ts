import { recordAudit } from '@osprey/db';
import { loadSettings, modelSettings, saveSettings } from '@osprey/detectors';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The model's detector settings, defaults filled in. */
export const GET = withApiKey(
  'read',
  async (_req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    return Response.json(await loadSettings(runtime().store, model));
  },
);

/** Replaces the model's detector settings (omitted fields take their defaults). */
export const PUT = withApiKey(
  'admin',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) => {
    const { model } = await ctx.params;
    const parsed = modelSettings.safeParse(await req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const actor = `api_key:${caller.id}`;
    const saved = await saveSettings(store, model, parsed.data, actor);
    await recordAudit(store, { actor, action: 'model.settings', target: model, details: saved });
    return Response.json(saved);
  },
);
