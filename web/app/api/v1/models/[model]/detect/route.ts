import { detectRange, TooManyWindowsError } from '@osprey/detectors';
import { z } from 'zod';
import { badRequest, jsonBody } from '@/lib/api/request';
import { isoTime } from '@/lib/api/time-range';
import { withAuth } from '@/lib/api/with-auth';
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
 * Runs every detector on the model's windows in [from, to) now (the range widened to window
 * edges, one stored detection per window), stores the results and answers them; alert rules are
 * evaluated on them in the same call (their transitions under `alerts`).
 */
export const POST = withAuth(
  'editor',
  async (req: Request, ctx: { params: Promise<{ model: string }> }, caller) => {
    const { model } = await ctx.params;
    const parsed = body.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    try {
      const detection = await detectRange(runtime().store, {
        model,
        from: Date.parse(parsed.data.from),
        to: Date.parse(parsed.data.to),
        version: parsed.data.version,
        alerts: runtime().alerts?.engine,
      });
      await caller.audit('detectors.run', model, parsed.data);
      return Response.json(detection);
    } catch (err) {
      if (err instanceof TooManyWindowsError)
        return badRequest([{ path: ['from'], message: err.message }]);
      throw err;
    }
  },
);
