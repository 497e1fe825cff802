import { ruleInput } from '@osprey/detectors';
import { alerts, orAlertError } from '@/lib/api/alerts';
import { badRequest, jsonBody } from '@/lib/api/request';
import { optionalRange } from '@/lib/api/time-range';
import { withAuth } from '@/lib/api/with-auth';

export const dynamic = 'force-dynamic';

const DAY = 86_400_000;
const range = optionalRange.refine(
  (r) => !r.from || !r.to || Date.parse(r.to) - Date.parse(r.from) <= 90 * DAY,
  { path: ['from'], message: 'the range can span at most 90 days' },
);

/**
 * How many times a rule (the body POST /api/v1/alert-rules takes) would have fired over the
 * stored detections of `?from=&to=` (default the last 7 days). Changes nothing, so any role may
 * ask and nothing is audited.
 */
export const POST = withAuth(
  'viewer',
  async (req: Request) =>
    orAlertError(async () => {
      const query = range.safeParse(Object.fromEntries(new URL(req.url).searchParams));
      if (!query.success) return badRequest(query.error.issues);
      const rule = ruleInput.safeParse(await jsonBody(req));
      if (!rule.success) return badRequest(rule.error.issues);
      const to = query.data.to ? Date.parse(query.data.to) : Date.now();
      const from = query.data.from ? Date.parse(query.data.from) : to - 7 * DAY;
      return Response.json(await alerts().engine.preview(rule.data, { from, to }));
    }),
  { audit: 'none' },
);
