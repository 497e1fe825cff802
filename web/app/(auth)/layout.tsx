import type { ReactNode } from 'react';

/** Sign-in and the one-time setup sit on their own, outside the dashboard's navigation. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
            <path d="M2 14c4-1 7-4 10-9 1 4 4 7 10 8-5 1-8 3-10 7-2-4-5-6-10-6z" fill="#2563eb" />
          </svg>
          Osprey
        </div>
        {children}
      </div>
    </div>
  );
}
