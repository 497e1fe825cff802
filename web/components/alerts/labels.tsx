import { Badge, ui } from '@/components/actions/primitives';
import { BreakableName } from '@/components/ui/breakable-name';

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
export function Scope(props: { feature?: string | null; segment?: string | null }) {
  const parts = [
    props.feature && (['feature', props.feature] as const),
    props.segment && (['segment', props.segment] as const),
  ].filter((p) => !!p);
  if (parts.length === 0) return <span className={ui.muted}>model</span>;
  return (
    <>
      {parts.map(([kind, name], i) => (
        <span key={kind}>
          {i > 0 && ' · '}
          {kind} <BreakableName name={name} />
        </span>
      ))}
    </>
  );
}
