'use client';

import styles from '@/components/model/model.module.css';

/** A page that failed to load: what went wrong, and a retry, inside the dashboard's frame. */
export default function DashboardError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className={styles.emptyState} role="alert">
      <h2>This page could not be loaded</h2>
      {/* Production builds keep a server error's message in the server's log, under the digest. */}
      <p>
        Check that Osprey is running and its database is reachable, then try again.
        {error.digest && ` The server's log has the details under ${error.digest}.`}
      </p>
      <p style={{ marginTop: 12 }}>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </p>
    </div>
  );
}
