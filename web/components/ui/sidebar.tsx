'use client';

import { IntentLink as Link } from './intent-link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import styles from './shell.module.css';

// 16px stroke icons (feather-style paths), drawn inline so the shell needs no icon package.
const ICONS: Record<string, string> = {
  models: 'M12 2 2 7l10 5 10-5-10-5zM2 17l10 5 10-5M2 12l10 5 10-5',
  overview: 'M3 3h7v9H3zM14 3h7v5h-7zM14 12h7v9h-7zM3 16h7v5H3z',
  alerts: 'M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0',
  shadow: 'M2 12h4l3-8 6 16 3-8h4',
  versions:
    'M6 3v12M18 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM18 9a9 9 0 0 1-9 9',
  settings:
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
};

const NAV = [
  { href: '/', label: 'Overview', icon: 'overview' },
  { href: '/models', label: 'Models', icon: 'models' },
  { href: '/alerts', label: 'Alerts', icon: 'alerts' },
  { href: '/shadow', label: 'Shadow', icon: 'shadow' },
  { href: '/versions', label: 'Versions', icon: 'versions' },
  { href: '/settings', label: 'Settings', icon: 'settings' },
];

function Icon({ name }: { name: string }) {
  return (
    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path
        d={ICONS[name]}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** The dashboard's navigation, the signed-in user and logout. */
export function Sidebar({ user }: { user: { email: string; name: string; role: string } }) {
  const pathname = usePathname();
  const [error, setError] = useState<string>();
  const active = (href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href));

  async function logout() {
    const res = await fetch('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    // 401: the session had already ended; either way the login page is next.
    if (res && (res.ok || res.status === 401)) return window.location.assign('/login');
    setError(res ? `logout failed (${res.status})` : 'Osprey did not answer');
  }

  return (
    <aside className={styles.sidebar}>
      <Link href="/" className={styles.brand}>
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path
            d="M2 14c4-1 7-4 10-9 1 4 4 7 10 8-5 1-8 3-10 7-2-4-5-6-10-6z"
            fill="#60a5fa"
            stroke="#93c5fd"
            strokeWidth="1"
          />
        </svg>
        Osprey
      </Link>
      <nav className={styles.nav} aria-label="Main">
        {NAV.map((item) => (
          <Link
            key={item.href}
            href={item.href}
            className={active(item.href) ? styles.navActive : styles.navLink}
            aria-current={active(item.href) ? 'page' : undefined}
          >
            <Icon name={item.icon} />
            {item.label}
          </Link>
        ))}
      </nav>
      <div className={styles.user} data-testid="signed-in-user">
        <span className={styles.avatar} aria-hidden="true">
          {(user.name || user.email).slice(0, 1).toUpperCase()}
        </span>
        <span className={styles.userText}>
          <span className={styles.userName} title={user.email} data-testid="signed-in-name">
            {user.name || user.email}
          </span>
          <span className={styles.userRole}>{user.role}</span>
        </span>
        <button type="button" className={styles.logout} onClick={logout} title="Sign out">
          Log out
        </button>
        {error && (
          <span role="alert" className={styles.logoutError}>
            {error}
          </span>
        )}
      </div>
    </aside>
  );
}
