import { latestRun, type DetectorName, type Segment } from '@osprey/detectors';
import { z } from 'zod';
import { badRequest } from '@/lib/api/request';
import { optionalRange } from '@/lib/api/time-range';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

const query = optionalRange.and(
  z.object({
    version: z.string().min(1).max(128).optional(),
    segment: z
      .string()
      .regex(/^[^=]+=.*$/, 'must be key=value, e.g. region=eu')
      .optional(),
  }),
);

/** The stored document's scope, for a route that adds another detector's fields of its window. */
export type DocumentScope = { model: string; version?: string; segment?: Segment };

/**
 * GET /api/v1/models/{model}/{detector}: the stored result of the window [from, to), or of the
 * latest window when none is given; 404 when that window was never detected. `extend` adds
 * fields to the document (GET …/drift: the window's embedding drift).
 */
export function detectorResultRoute(
  detector: DetectorName,
  extend?: (document: object, scope: DocumentScope) => Promise<object>,
) {
  return withAuth('viewer', async (req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { from, to, version, segment } = parsed.data;
    const [key, ...value] = segment?.split('=') ?? [];
    const scope = {
      model,
      version,
      segment: segment ? { key: key!, value: value.join('=') } : undefined,
    };
    const document = await latestRun(runtime().store, {
      ...scope,
      detector,
      window: from && to ? { from: Date.parse(from), to: Date.parse(to) } : undefined,
    });
    if (!document) {
      return Response.json(
        {
          error: `no ${detector} results for ${model} in that window; POST …/detect computes them`,
        },
        { status: 404 },
      );
    }
    return Response.json(extend ? await extend(document, scope) : document);
  });
}
