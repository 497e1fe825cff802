'use client';

import type { RecomputeJob } from '@osprey/detectors';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ActionButton, ProgressBar, ui } from '@/components/actions/primitives';
import { callApi, describeError } from '@/lib/actions/api-client';

/** `datetime-local` wants local wall-clock time without a zone; the page speaks UTC. */
const toInput = (iso: string) => iso.slice(0, 16);
const fromInput = (value: string) => new Date(`${value}:00Z`).toISOString();

/**
 * "Recompute windows since …" for editors: redoes the model's stored windows with its current
 * reference and settings (POST …/recompute), polling the job's progress every second; the page
 * is re-rendered when it is done.
 */
export function RecomputeWindows(props: {
  model: string;
  /** Where the input starts (the range's start). */
  since: string;
  /** The job running or last run in this server process, if any. */
  job: RecomputeJob | undefined;
  canEdit: boolean;
}) {
  const router = useRouter();
  const path = `/api/v1/models/${encodeURIComponent(props.model)}/recompute`;
  const [since, setSince] = useState(toInput(props.since));
  const [job, setJob] = useState(props.job);
  const [error, setError] = useState<string>();
  const running = job?.status === 'running';

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      void callApi<RecomputeJob>('GET', path).then((r) => {
        if (!r.ok || !r.data) return;
        setJob(r.data);
        if (r.data.status !== 'running') router.refresh();
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [running, path, router]);

  async function start() {
    setError(undefined);
    const result = await callApi<RecomputeJob>('POST', path, { since: fromInput(since) });
    if (!result.ok || !result.data) return setError(describeError(result));
    setJob(result.data);
    if (result.data.status !== 'running') router.refresh();
  }

  return (
    <span
      className={ui.small}
      data-testid="recompute"
      style={{ display: 'inline-flex', gap: 8, alignItems: 'center', flexWrap: 'wrap' }}
    >
      {props.canEdit && (
        <>
          <label>
            Recompute windows since{' '}
            <input
              type="datetime-local"
              value={since}
              onChange={(e) => setSince(e.target.value)}
              disabled={running}
              data-testid="recompute-since"
            />{' '}
            UTC
          </label>
          <ActionButton
            onClick={() => void start()}
            disabled={running || !since}
            testId="recompute-start"
          >
            Recompute
          </ActionButton>
        </>
      )}
      {job && (
        <span
          data-testid="recompute-progress"
          data-status={job.status}
          style={{ display: 'inline-flex', gap: 8, alignItems: 'center', minWidth: 220 }}
        >
          <span style={{ flex: '0 0 200px' }}>
            <ProgressBar done={job.done} total={job.of} status={job.status} />
          </span>
          <span>
            {job.status === 'running'
              ? `Recomputing ${job.done} of ${job.of} windows`
              : job.status === 'done'
                ? `Recomputed ${job.of} window${job.of === 1 ? '' : 's'}`
                : `Recompute failed after ${job.done} of ${job.of}: ${job.error ?? 'unknown error'}`}
          </span>
        </span>
      )}
      {error && (
        <span role="alert" style={{ color: '#b42318' }}>
          {error}
        </span>
      )}
    </span>
  );
}
