import { recordAudit } from '@osprey/db';
import { detectWindow } from '@osprey/detectors';
import { z } from 'zod';
import { isoTime } from '@/lib/api/time-range';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const body = z
  .strictObject({
    from: isoTime,
    to: isoTime,
    version: z.string().min(1).max(128).optional(),
  })
  .refine((b) => Date.parse(b.from) < Date.parse(b.to), {
    path: ['from'],
    message: 'must be before to',
  });

/**
 * Runs every detector on [from, to) now, stores the results and answers them; alert rules are
 * evaluated on them in the same call (their transitions under `alerts`).
 */
export const POST = withApiKey(
  'admin',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) => {
    const { model } = await ctx.params;
    const parsed = body.safeParse(await req.json().catch(() => undefined));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const window = { from: Date.parse(parsed.data.from), to: Date.parse(parsed.data.to) };
    const detection = await detectWindow(store, {
      model,
      window,
      version: parsed.data.version,
      alerts: runtime().alerts?.engine,
    });
    await recordAudit(store, {
      actor: `api_key:${caller.id}`,
      action: 'detectors.run',
      target: model,
      details: parsed.data,
    });
    return Response.json(detection);
  },
);
