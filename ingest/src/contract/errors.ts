import type { z } from 'zod';

/** `<field>: <problem>` — the one error format every client sees. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.join(', ')}: unknown field${issue.keys.length > 1 ? 's' : ''}`;
  }
  const field = issue.path.map(String).join('.') || 'event';
  const problem =
    issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
  return `${field}: ${problem}`;
}
