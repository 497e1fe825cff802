'use client';

import { AuthForm } from '../auth-form';

/** Posts to /api/v1/auth/login (which sets the session cookie), then opens the dashboard. */
export function LoginForm() {
  return (
    <AuthForm
      endpoint="/api/v1/auth/login"
      fields={[
        { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
      ]}
      submit="Sign in"
      busy="Signing in…"
    />
  );
}
