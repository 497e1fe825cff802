import type { ReactNode } from 'react';
import { RefreshProvider } from '@/components/ui/refresh';
import { Sidebar } from '@/components/ui/sidebar';
import styles from '@/components/ui/shell.module.css';
import { signedInUser } from '@/lib/actions/session';

export const dynamic = 'force-dynamic';

/** Every dashboard page needs a session: without one, the login page (checked on the server). */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await signedInUser();
  return (
    <div className={styles.shell}>
      <Sidebar user={{ email: user.email, name: user.name, role: user.role }} />
      <RefreshProvider>
        <main className={styles.main}>{children}</main>
      </RefreshProvider>
    </div>
  );
}
