'use client';

import type { ShadowRun } from '@osprey/shadow-runner/api';
import { IntentLink as Link } from '@/components/ui/intent-link';
import { useState } from 'react';
import {
  ActionButton,
  Callout,
  Panel,
  ProgressBar,
  TableHead,
  cx,
  ui,
} from '@/components/actions/primitives';
import { actor, duration, number, when } from '@/lib/actions/format';
import { RunStatus, VerdictBadge, isActive } from './status';
import { useRunPolling } from './use-run-polling';

/** Every shadow run with live progress (each active run's GET route polled every second). */
export function RunsTable(props: {
  runs: ShadowRun[];
  canEdit: boolean;
  actors: Record<string, string>;
}) {
  const { runs, cancel } = useRunPolling(props.runs);
  const [error, setError] = useState<string>();

  const stop = async (run: ShadowRun) => setError(await cancel(run));

  return (
    <Panel title="Runs" count={runs.length} testId="runs">
      {error && (
        <div className={ui.panelBody}>
          <Callout tone="error">{error}</Callout>
        </div>
      )}
      {runs.length === 0 ? (
        <div className={ui.empty}>No shadow runs yet. Start a replay above.</div>
      ) : (
        <table className={ui.table}>
          <TableHead
            columns={[
              'Run',
              'Model',
              'Candidate',
              'Status',
              { label: 'Progress', width: 260 },
              { label: 'Rows/s', num: true },
              'Verdict',
              'Started',
            ]}
            actions
          />
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-testid="run-row" data-run={run.id}>
                <td>
                  <Link
                    className={ui.mono}
                    href={`/shadow/${encodeURIComponent(run.model)}/${run.id}`}
                  >
                    {run.id.slice(0, 8)}
                  </Link>
                  <div className={cx(ui.muted, ui.small)}>{run.mode}</div>
                </td>
                <td>{run.model}</td>
                <td>
                  <strong>{run.candidate_version}</strong>
                </td>
                <td>
                  <RunStatus status={run.status} />
                  {run.error && (
                    <div className={cx(ui.small)} style={{ color: '#b42318' }} title={run.error}>
                      {run.error.slice(0, 60)}
                    </div>
                  )}
                </td>
                <td>
                  {run.mode === 'live' ? (
                    <span className={ui.small}>{number(run.progress.rows_done)} mirrored</span>
                  ) : (
                    <>
                      <ProgressBar
                        done={run.progress.rows_done}
                        total={run.progress.rows_total}
                        status={run.status}
                      />
                      <div className={cx(ui.muted, ui.small)}>
                        {number(run.progress.rows_done)} / {number(run.progress.rows_total)}
                        {isActive(run) && run.progress.eta_seconds !== null && (
                          <> · ETA {duration(run.progress.eta_seconds)}</>
                        )}
                      </div>
                    </>
                  )}
                </td>
                <td className={ui.num}>{number(run.progress.rows_per_second, 3)}</td>
                <td>
                  <VerdictBadge run={run} />
                </td>
                <td className={cx(ui.small, ui.nowrap)}>
                  {when(run.created_at)}
                  <div className={ui.muted}>{actor(run.created_by, props.actors)}</div>
                </td>
                <td className={ui.actions}>
                  {isActive(run) && run.status !== 'cancelling' && (
                    <ActionButton
                      tone="danger"
                      allowed={props.canEdit}
                      onClick={() => void stop(run)}
                    >
                      Cancel
                    </ActionButton>
                  )}{' '}
                  <Link
                    className={ui.button}
                    href={`/shadow/${encodeURIComponent(run.model)}/${run.id}`}
                  >
                    Open
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
