'use client';

import { AuthForm } from '../auth-form';

/** Posts to /api/v1/auth/setup (first admin + session cookie), then opens the dashboard. */
export function SetupForm() {
  return (
    <AuthForm
      endpoint="/api/v1/auth/setup"
      fields={[
        { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
        { name: 'name', label: 'Name', type: 'text', autoComplete: 'name', required: false },
        {
          name: 'password',
          label: 'Password (12 characters or more)',
          type: 'password',
          autoComplete: 'new-password',
          minLength: 12,
        },
      ]}
      submit="Create admin and sign in"
      busy="Creating…"
    />
  );
}
