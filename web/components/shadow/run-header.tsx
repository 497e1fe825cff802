'use client';

import type { ShadowRun } from '@osprey/shadow-runner/api';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ActionButton, Callout, ProgressBar, cx, ui } from '@/components/actions/primitives';
import { duration, number } from '@/lib/actions/format';
import { RunStatus, isActive } from './status';
import { useRunPolling } from './use-run-polling';

/**
 * The run's live state: status and progress polled every second while it is active; when it
 * settles the page is re-rendered on the server to show the summary, charts and verdict.
 */
export function RunHeader(props: { run: ShadowRun; canEdit: boolean }) {
  const router = useRouter();
  const { runs, cancel } = useRunPolling([props.run], () => router.refresh());
  const run = runs[0]!;
  const [error, setError] = useState<string>();

  const stop = async () => setError(await cancel(run));

  return (
    <div className={cx(ui.panel, ui.panelBody)} style={{ display: 'grid', gap: 10 }}>
      <div className={ui.header}>
        <RunStatus status={run.status} />
        {run.mode === 'live' ? (
          <span className={ui.small}>{number(run.progress.rows_done)} events mirrored</span>
        ) : (
          <div style={{ flex: 1, maxWidth: 520 }}>
            <ProgressBar
              done={run.progress.rows_done}
              total={run.progress.rows_total}
              status={run.status}
            />
          </div>
        )}
        <span className={cx(ui.small, ui.muted)}>
          {number(run.progress.rows_done)} / {number(run.progress.rows_total)} events
          {run.progress.rows_per_second !== null &&
            ` · ${number(run.progress.rows_per_second, 3)} rows/s`}
          {isActive(run) &&
            run.progress.eta_seconds !== null &&
            ` · ETA ${duration(run.progress.eta_seconds)}`}
          {run.provider && ` · on ${run.provider}`}
        </span>
        <span className={ui.spacer} />
        {isActive(run) && run.status !== 'cancelling' && (
          <ActionButton tone="danger" allowed={props.canEdit} onClick={() => void stop()}>
            Cancel run
          </ActionButton>
        )}
      </div>
      {run.error && <Callout tone="error">{run.error}</Callout>}
      {error && <Callout tone="error">{error}</Callout>}
    </div>
  );
}
