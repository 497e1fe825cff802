'use client';

import type { DetectionProgress } from '@osprey/detectors';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import styles from './backfill.module.css';

const POLL_MS = 1_000;

export function backfillText(p: DetectionProgress): string {
  return p.state === 'starting'
    ? 'Detection is starting: looking for closed windows to backfill…'
    : `Backfilling ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} windows…`;
}

/**
 * Shown while the detector scheduler backfills closed windows: drift and alerts are incomplete
 * until it is done. Follows the progress, then re-renders the page with the finished results.
 */
export function BackfillNotice({ initial }: { initial: DetectionProgress }) {
  const router = useRouter();
  const [progress, setProgress] = useState(initial);
  useEffect(() => {
    if (progress.state === 'current') {
      router.refresh();
      return;
    }
    const timer = setTimeout(async () => {
      const res = await fetch('/api/v1/detection', { credentials: 'same-origin' }).catch(
        () => undefined,
      );
      const body = (await res?.json().catch(() => undefined)) as
        { progress: DetectionProgress | null } | undefined;
      // No answer: keep the last progress and ask again.
      setProgress(body ? (body.progress ?? { ...progress, state: 'current' }) : { ...progress });
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [progress, router]);
  if (progress.state === 'current') return null;
  const share = progress.total > 0 ? progress.done / progress.total : 0;
  return (
    <div className={styles.notice} role="status" data-testid="backfill-notice">
      <strong>{backfillText(progress)}</strong>{' '}
      <span>Drift and alerts are incomplete until every closed window is detected.</span>
      <div
        className={styles.bar}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(share * 100)}
      >
        <span style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}
