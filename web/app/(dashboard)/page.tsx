import { IntentLink as Link } from '@/components/ui/intent-link';
import { OverviewTable } from '@/components/model/overview-table';
import { BackfillNotice } from '@/components/ui/backfill-notice';
import { compact, rate } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { RefreshControl } from '@/components/ui/refresh';
import { Stat, StatRow } from '@/components/ui/stat';
import { resolveRange } from '@/components/ui/time-range';
import { TimeRangePicker } from '@/components/ui/time-range-picker';
import styles from '@/components/model/model.module.css';
import { detectionIncomplete, detectionProgress } from '@/lib/dashboard/detection';
import { loadOverview } from '@/lib/dashboard/overview';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Overview · Osprey' };

const BUCKETS = 48;

export default async function OverviewPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const range = resolveRange(await props.searchParams);
  // Read before the models: a backfill that ends in between then shows once more, never the reverse.
  const progress = detectionProgress(runtime());
  const incomplete = detectionIncomplete(progress);
  const models = await loadOverview(runtime(), {
    from: new Date(range.from),
    to: new Date(range.to),
    buckets: BUCKETS,
  });
  const events = models.reduce((a, m) => a + m.events, 0);
  const errors = models.reduce((a, m) => a + (m.error_rate ?? 0) * m.events, 0);
  const drifting = models.filter((m) => m.drift.status === 'drift' || m.drift.status === 'warning');
  const firing = models.reduce((a, m) => a + m.firing_alerts, 0);
  return (
    <>
      <PageHeader title="Overview" crumbs={range.title}>
        <TimeRangePicker range={range} />
        <RefreshControl />
      </PageHeader>
      {incomplete && progress && <BackfillNotice initial={progress} />}
      {models.length === 0 ? (
        <div className={styles.emptyState}>
          <h2>No predictions logged yet</h2>
          <p>
            Send some with the SDK (see the README), or run <code>npm start</code> for the demo: it
            logs a house-price model with a day of history.
          </p>
        </div>
      ) : (
        <>
          <StatRow>
            <Stat label="Models" value={models.length} note={`${compact(events)} predictions`} />
            <Stat
              label="Error rate"
              value={rate(events > 0 ? errors / events : null)}
              note="all models, this range"
              tone={events > 0 && errors / events >= 0.05 ? 'bad' : 'default'}
            />
            <Stat
              label="Drifting"
              value={incomplete && drifting.length === 0 ? '…' : drifting.length}
              note={
                drifting.map((m) => m.model).join(', ') ||
                (incomplete ? 'windows still backfilling' : 'no model drifts')
              }
              tone={drifting.length > 0 ? 'warn' : incomplete ? 'default' : 'good'}
              testId="stat-drifting"
            />
            <Stat
              label="Firing alerts"
              value={firing > 0 ? <Link href="/alerts">{firing}</Link> : incomplete ? '…' : 0}
              note={
                firing > 0 ? 'see Alerts' : incomplete ? 'windows still backfilling' : 'all quiet'
              }
              tone={firing > 0 ? 'bad' : incomplete ? 'default' : 'good'}
              testId="stat-firing"
            />
          </StatRow>
          <OverviewTable initial={models} range={range} buckets={BUCKETS} />
        </>
      )}
    </>
  );
}
