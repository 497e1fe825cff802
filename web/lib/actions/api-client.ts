/**
 * The dashboard's calls to `/api/v1` from the browser: same-origin fetch, so the session cookie
 * goes along and the browser's Origin header passes the CSRF check. Errors come back as data
 * (never thrown) with the field the API named, so forms can show them next to that field.
 */
export interface ApiResult<T> {
  ok: boolean;
  status: number;
  data?: T;
  /** The API's `error`, or why there was no answer. */
  error?: string;
  /** The first segment of the field the error names (`channels.0: …` → `channels`). */
  field?: string;
  /** A refusal's whole JSON body (some carry details besides `error`). */
  raw?: unknown;
}

const FIELD = /^([A-Za-z_][\w]*)(?:\.[\w.]+)?: /;

export async function callApi<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const init: RequestInit = { method, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, error: 'Osprey did not answer; is it running?' };
  }
  const json = (await res.json().catch(() => undefined)) as unknown;
  if (res.ok) return { ok: true, status: res.status, data: json as T };
  const message =
    (json as { error?: unknown } | undefined)?.error !== undefined
      ? String((json as { error: unknown }).error)
      : `${res.status} ${res.statusText}`;
  return {
    ok: false,
    status: res.status,
    error: message,
    field: FIELD.exec(message)?.[1],
    raw: json,
  };
}

/** A refusal as the dashboard shows it: the status, then the API's own words. */
export function describeError(result: ApiResult<unknown>): string {
  if (result.status === 0) return result.error ?? 'no answer';
  const label =
    result.status === 403
      ? '403 Forbidden'
      : result.status === 401
        ? '401 Not signed in'
        : result.status === 404
          ? '404 Not found'
          : result.status === 409
            ? '409 Conflict'
            : String(result.status);
  return `${label}: ${result.error ?? 'refused'}`;
}

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
