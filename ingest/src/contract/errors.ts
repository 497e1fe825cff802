import type { z } from 'zod';

/** `<field>: <problem>` — the one error format every client sees. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''}`;
  }
  if (issue.code === 'invalid_key') {
    // A map key that failed its own check: the map is the field, the key's problem the message
    // (the key itself may be what is too long to repeat).
    const map = issue.path.slice(0, -1).map(String).join('.') || 'event';
    return `${map}: ${issue.issues[0]?.message ?? 'has a key that is not allowed'}`;
  }
  const field = issue.path.map(String).join('.') || 'event';
  const missing =
    issue.code === 'invalid_type' &&
    issue.path.length > 0 &&
    valueAt(input, issue.path) === undefined;
  return `${field}: ${missing ? 'required' : issue.message}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
