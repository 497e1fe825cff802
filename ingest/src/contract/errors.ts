import type { z } from 'zod';

/** `<field>: <problem>` — the one error format every client sees. */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''}`;
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
