import { Badge } from '@/components/actions/primitives';

export function SeverityBadge({ severity }: { severity: string | null }) {
  const tone = severity === 'critical' ? 'red' : severity === 'warning' ? 'amber' : 'blue';
  return <Badge tone={tone}>{severity ?? '—'}</Badge>;
}

export function StateBadge({ state }: { state: string }) {
  const tone =
    state === 'firing'
      ? 'red'
      : state === 'pending'
        ? 'amber'
        : state === 'resolved'
          ? 'green'
          : state === 'action'
            ? 'blue'
            : 'gray';
  return <Badge tone={tone}>{state}</Badge>;
}

/** "feature area_sqm · segment region=eu", or nothing for a whole-model alert. */
export function Scope(props: { feature: string | null; segment: string | null }) {
  const parts = [
    props.feature && `feature ${props.feature}`,
    props.segment && `segment ${props.segment}`,
  ].filter(Boolean);
  return parts.length ? <>{parts.join(' · ')}</> : <span style={{ color: '#98a2b3' }}>model</span>;
}
