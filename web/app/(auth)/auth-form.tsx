'use client';

import { useState, type FormEvent } from 'react';

export interface AuthField {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autoComplete: string;
  required?: boolean;
  minLength?: number;
}

/**
 * Posts the fields as JSON to an auth endpoint that sets the session cookie (login, setup), then
 * opens the dashboard; the API's error (naming the field) is shown under the form.
 */
export function AuthForm(props: {
  endpoint: string;
  fields: AuthField[];
  submit: string;
  busy: string;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(
      props.fields.flatMap((f) => (form.get(f.name) ? [[f.name, form.get(f.name)]] : [])),
    );
    setBusy(true);
    setError(undefined);
    const res = await fetch(props.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).catch(() => undefined);
    setBusy(false);
    if (res?.ok) {
      window.location.assign('/');
      return;
    }
    const answer = (await res?.json().catch(() => undefined)) as { error?: string } | undefined;
    setError(answer?.error ?? 'Osprey did not answer; is it running?');
  }

  return (
    <form className="login" onSubmit={submit}>
      {props.fields.map((f) => (
        <label key={f.name}>
          {f.label}
          <input
            name={f.name}
            type={f.type}
            autoComplete={f.autoComplete}
            required={f.required ?? true}
            minLength={f.minLength}
          />
        </label>
      ))}
      <button type="submit" disabled={busy}>
        {busy ? props.busy : props.submit}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
