'use client';

import { useState } from 'react';
import { fieldErrors, type ApiResult } from '@/lib/actions/api-client';

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
