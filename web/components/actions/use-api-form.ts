'use client';

import { useState } from 'react';
import { describeError, type ApiResult } from '@/lib/actions/api-client';

/**
 * A refusal as form errors: under the field the API named when the form has it, else one
 * message for the whole form (`form`) with the status.
 */
export function fieldErrors(
  res: ApiResult<unknown>,
  fields: readonly string[],
  alias: Record<string, string> = {},
): Record<string, string> {
  const named = res.field && (alias[res.field] ?? res.field);
  if (named && fields.includes(named)) return { [named]: res.error ?? 'invalid' };
  return { form: describeError(res) };
}

/** Busy state and field errors of a form whose submit is one API call. */
export function useApiForm(fields: readonly string[], alias: Record<string, string> = {}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  async function run<T>(call: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
    setBusy(true);
    setErrors({});
    const res = await call();
    setBusy(false);
    if (!res.ok) setErrors(fieldErrors(res, fields, alias));
    return res;
  }
  return { errors, setErrors, busy, run };
}
