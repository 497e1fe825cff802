import { shadowComparison } from '@osprey/db';
import { IntentLink as Link } from '@/components/ui/intent-link';
import { notFound } from 'next/navigation';
import { AutoRefresh } from '@/components/actions/auto-refresh';
import { Panel, cx, ui } from '@/components/actions/primitives';
import { DifferenceHistogram, OutputScatter } from '@/components/shadow/comparison-charts';
import { RunHeader } from '@/components/shadow/run-header';
import { SideBySidePanel } from '@/components/shadow/side-by-side';
import { ConfusionTable, SummaryStats, SummaryTable } from '@/components/shadow/summary';
import { VerdictPanel } from '@/components/shadow/verdict-panel';
import type { SideBySideReport, SideBySideSkipped } from '@osprey/shadow-runner/api';
import { models } from '@/lib/api/models';
import { actor, number, when } from '@/lib/actions/format';
import { actorNames } from '@/lib/actions/server-data';
import { abilities, signedInUser } from '@/lib/actions/session';
import { runtime } from '@/server/runtime';
import { PageHeader } from '@/components/ui/page-header';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Shadow run · Osprey' };

export default async function ShadowRunPage(props: {
  params: Promise<{ model: string; id: string }>;
}) {
  const can = abilities(await signedInUser());
  const { model, id } = await props.params;
  const registry = models();
  const run = await registry.shadow.get(id);
  if (!run || run.model !== decodeURIComponent(model)) notFound();
  const [comparison, production, actors] = await Promise.all([
    shadowComparison(runtime().store, id),
    registry.deployments.production(run.model),
    actorNames(),
  ]);
  const request = run.request as {
    from?: number;
    to?: number;
    version?: string;
    limit?: number;
  } | null;
  const hasNumbers = comparison.scatter.length > 0;
  const side = run.summary?.side_by_side as SideBySideReport | SideBySideSkipped | undefined;
  return (
    <div className={ui.page}>
      <PageHeader
        title={
          <>
            {run.model} · {run.candidate_version}{' '}
            <span className={ui.muted} style={{ fontWeight: 400, fontSize: 15 }}>
              shadow run <span className={ui.mono}>{run.id.slice(0, 8)}</span>
            </span>
          </>
        }
        crumbs={
          <>
            <Link href="/shadow">Shadow runs</Link> / {run.model}
          </>
        }
      >
        <AutoRefresh />
      </PageHeader>
      <span className={ui.subtitle}>
        Candidate <strong>{run.candidate_version}</strong> against the outputs production logged
        {comparison.logged_by.length > 0 &&
          ` (${comparison.logged_by.map((l) => `${l.version}: ${number(l.count)}`).join(', ')})`}{' '}
        · production now {production?.version ?? 'none'} · {run.mode}
        {request?.from !== undefined && request.to !== undefined && (
          <>
            {' '}
            · traffic {when(request.from)} – {when(request.to)}
          </>
        )}
        {request?.version && <> · events of {request.version}</>}
        {request?.limit && <> · at most {number(request.limit)}</>} · started {when(run.created_at)}{' '}
        by {actor(run.created_by, actors)}
      </span>
      <RunHeader run={run} canEdit={can.edit} />
      {run.summary && <SummaryStats run={run} />}
      <VerdictPanel
        run={run}
        production={production?.version}
        canEdit={can.edit}
        canForce={can.admin}
      />
      {side && <SideBySidePanel side={side} />}
      {(hasNumbers || comparison.diff_histogram.length > 0) && (
        <div className={ui.grid2}>
          <Panel title="Candidate vs production" count={comparison.scatter.length}>
            <div className={ui.panelBody}>
              {hasNumbers ? (
                <OutputScatter points={comparison.scatter} candidate={run.candidate_version} />
              ) : (
                <p className={ui.empty}>No numeric outputs to plot.</p>
              )}
              <p className={cx(ui.small, ui.muted)} style={{ margin: 0 }}>
                A sample of up to 1,500 events; points on the dashed diagonal agree.
              </p>
            </div>
          </Panel>
          <Panel title="Distribution of differences">
            <div className={ui.panelBody}>
              <DifferenceHistogram bins={comparison.diff_histogram} />
              <p className={cx(ui.small, ui.muted)} style={{ margin: 0 }}>
                Every compared event; the outer 0.5% on each side fall in the end bins.
              </p>
            </div>
          </Panel>
        </div>
      )}
      {comparison.confusion.length > 0 && <ConfusionTable cells={comparison.confusion} />}
      {run.summary && (
        <SummaryTable
          run={run}
          loggedBy={comparison.logged_by.map((l) => l.version).join(', ') || '—'}
        />
      )}
    </div>
  );
}
