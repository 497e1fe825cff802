import { Badge } from '@/components/actions/primitives';

export type HealthStatus = 'ok' | 'warning' | 'drift' | 'unknown';

const TONE = { ok: 'green', warning: 'amber', drift: 'red', unknown: 'gray' } as const;
const LABEL = { ok: 'No drift', warning: 'Some drift', drift: 'Drift', unknown: 'No data' };

/** A drift verdict as a coloured pill; `title` explains it on hover. */
export function StatusBadge({ status, title }: { status: HealthStatus; title?: string }) {
  return (
    <span title={title} data-status={status}>
      <Badge tone={TONE[status]}>{LABEL[status]}</Badge>
    </span>
  );
}
