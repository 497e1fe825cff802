import { recordAudit } from '@osprey/db';
import { loadSettings, referenceChoice, saveSettings } from '@osprey/detectors';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** The model's reference choice (null: the default — its latest dataset, else the previous window). */
export const GET = withApiKey(
  'read',
  async (_req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    return Response.json((await loadSettings(runtime().store, model)).reference ?? null);
  },
);

/** Chooses what the model's windows are compared with: a dataset, a range or the previous window. */
export const PUT = withApiKey(
  'admin',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) => {
    const { model } = await ctx.params;
    const parsed = referenceChoice.safeParse(await req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const settings = await loadSettings(store, model);
    const actor = `api_key:${caller.id}`;
    const saved = await saveSettings(store, model, { ...settings, reference: parsed.data }, actor);
    await recordAudit(store, {
      actor,
      action: 'model.reference',
      target: model,
      details: parsed.data,
    });
    return Response.json(saved.reference);
  },
);
