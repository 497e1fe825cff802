'use client';

import { useState, type FormEvent } from 'react';

/** Posts to /api/v1/auth/login (which sets the session cookie), then opens the dashboard. */
export function LoginForm() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
    }).catch(() => undefined);
    setBusy(false);
    if (res?.ok) {
      window.location.assign('/');
      return;
    }
    const body = (await res?.json().catch(() => undefined)) as { error?: string } | undefined;
    setError(body?.error ?? 'Osprey did not answer; is it running?');
  }

  return (
    <form className="login" onSubmit={submit}>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
