import type { ShadowRun } from '@osprey/shadow-runner/api';
import { Badge } from '@/components/actions/primitives';

export const ACTIVE = new Set(['queued', 'running', 'cancelling']);

export function isActive(run: Pick<ShadowRun, 'status'>): boolean {
  return ACTIVE.has(run.status);
}

export function RunStatus({ status }: { status: string }) {
  const tone =
    status === 'done'
      ? 'green'
      : status === 'failed'
        ? 'red'
        : status === 'running'
          ? 'blue'
          : status === 'cancelled' || status === 'cancelling'
            ? 'amber'
            : 'gray';
  return (
    <Badge tone={tone}>
      <span data-testid="run-status">{status}</span>
    </Badge>
  );
}

export function VerdictBadge({ run }: { run: Pick<ShadowRun, 'verdict'> }) {
  if (!run.verdict) return <span style={{ color: '#98a2b3' }}>—</span>;
  return (
    <Badge tone={run.verdict.decision === 'promote' ? 'green' : 'amber'}>
      <span data-testid="verdict">{run.verdict.decision}</span>
    </Badge>
  );
}
