/** The JSON body, or undefined when it is not JSON (zod then names the body). */
export function jsonBody(req: Request): Promise<unknown> {
  return req.json().catch(() => undefined);
}

/** A zod failure as a 400 that names the field. */
export function badRequest(issues: readonly { path: PropertyKey[]; message: string }[]): Response {
  const issue = issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  return Response.json({ error: `${field}: ${issue?.message ?? 'invalid'}` }, { status: 400 });
}
