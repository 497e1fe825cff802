import { z } from 'zod';

export const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 time such as 2026-01-31T12:00:00Z',
});

/** `from` / `to` that must come together, from before to. */
export const optionalRange = z
  .object({ from: isoTime.optional(), to: isoTime.optional() })
  .refine((r) => (r.from === undefined) === (r.to === undefined), {
    path: ['from'],
    message: 'from and to go together',
  })
  .refine((r) => !r.from || !r.to || Date.parse(r.from) < Date.parse(r.to), {
    path: ['from'],
    message: 'must be before to',
  });
