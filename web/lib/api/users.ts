import { newPassword, roleSchema, UserError } from '@osprey/db';
import { z } from 'zod';

const email = z.email({ error: 'must be an email address' }).max(320);
const password = newPassword;
const name = z.string({ error: 'must be a string' }).max(200);

export const loginBody = z.strictObject({
  email: z.string({ error: 'required, a string' }).min(1, 'must not be empty').max(320),
  password: z.string({ error: 'required, a string' }).min(1, 'must not be empty').max(1024),
});

export const userCreateBody = z.strictObject({
  email,
  name: name.optional(),
  role: roleSchema,
  password,
});

/** The one-time setup's first admin (the role is admin). */
export const setupBody = z.strictObject({ email, name: name.optional(), password });

export const userUpdateBody = z
  .strictObject({
    email: email.optional(),
    name: name.optional(),
    role: roleSchema.optional(),
    password: password.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of email, name, role, password');

/** UserError → its status (404 unknown user, 409 taken email or last admin); anything else propagates. */
export async function orUserError(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserError)
      return Response.json({ error: err.message }, { status: err.status });
    throw err;
  }
}
