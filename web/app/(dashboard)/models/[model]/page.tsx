import { IntentLink as Link } from '@/components/ui/intent-link';
import { notFound } from 'next/navigation';
import { modelTags } from '@osprey/db';
import {
  driftHeatmap,
  estimatedPerformanceHistory,
  featureDriftHistory,
  featureHistograms,
  firstWindow,
  loadSettings,
  multivariateHistory,
  embeddingDriftHistory,
  performanceHistory,
  qualityHeatmap,
  windowReference,
  type DriftHeatmap as Heatmap,
} from '@osprey/detectors';
import { DriftHeatmap } from '@/components/model/drift-heatmap';
import { DriftWatcher } from '@/components/model/drift-watcher';
import { EstimatedPerformancePanel } from '@/components/model/estimated-performance-panel';
import { EstimatedRegressionPanel } from '@/components/model/estimated-regression-panel';
import { FeatureDrilldown } from '@/components/model/feature-drilldown';
import { FeatureSearch } from '@/components/model/feature-search';
import { FirstWindowNotice } from '@/components/model/first-window-notice';
import { MultivariatePanel } from '@/components/model/multivariate-panel';
import { EmbeddingsPanel } from '@/components/model/embeddings-panel';
import { PerformancePanel } from '@/components/model/performance-panel';
import { RecomputeWindows } from '@/components/model/recompute-windows';
import { WindowLength } from '@/components/model/window-length';
import { comparedLabel } from '@/components/model/window-text';
import { SegmentFilter } from '@/components/model/segment-filter';
import { SegmentKeys } from '@/components/model/segment-keys';
import { TrafficPanels } from '@/components/model/traffic-panels';
import styles from '@/components/model/model.module.css';
import { modelPageQuery, one, type Params } from '@/components/model/page-query';
import { ago, clock, compact, ms, number, rate } from '@/components/ui/format';
import { someOf } from '@/components/ui/text';
import { PageHeader } from '@/components/ui/page-header';
import { RefreshControl } from '@/components/ui/refresh';
import { Stat, StatRow } from '@/components/ui/stat';
import { StatusBadge } from '@/components/ui/status-badge';
import { aligned } from '@/components/ui/time-range';
import { TimeRangePicker } from '@/components/ui/time-range-picker';
import { abilities, signedInUser } from '@/lib/actions/session';
import { recomputeJobs } from '@/lib/api/recompute';
import { loadOverview } from '@/lib/dashboard/overview';
import { niceStep } from '@/lib/dashboard/query';
import { loadSegmentStats } from '@/lib/dashboard/segment-stats';
import { loadTimeseries } from '@/lib/dashboard/timeseries';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function generateMetadata(props: { params: Promise<{ model: string }> }) {
  return { title: `${decodeURIComponent((await props.params).model)} · Osprey` };
}

/** Feature rows of the heatmap: the most drifted; a search finds any other. */
const HEATMAP_ROWS = 50;

/**
 * The feature to drill into: the one asked for (it may be outside the heatmap's top rows), else
 * the first drifting one of the last window.
 */
function chosenFeature(heatmap: Heatmap, asked: string | undefined): string | undefined {
  if (asked) return asked;
  const last = heatmap.windows.at(-1)?.to;
  const drifting = heatmap.rows.find((r) =>
    r.cells.some((c) => c.window_end === last && c.status === 'drift'),
  );
  return (drifting ?? heatmap.rows[0])?.feature;
}

export default async function ModelPage(props: {
  params: Promise<{ model: string }>;
  searchParams: Promise<Params>;
}) {
  const { model, sp, range, segment } = await modelPageQuery(props);
  const search = one(sp.q)?.trim() || undefined;
  const scope = {
    model,
    from: range.from,
    to: range.to,
    segment: segment && { key: segment.tag, value: segment.value },
  };
  const stepSeconds = niceStep(range.to - range.from);
  const rt = runtime();
  const dates = { from: new Date(range.from), to: new Date(range.to) };
  const [overview, series, heatmap, performance, tags, settings, first, user, segmentStats] =
    await Promise.all([
      loadOverview(rt, { ...dates, buckets: 1 }),
      loadTimeseries(rt, { model, ...aligned(range, stepSeconds), stepSeconds, segment }),
      driftHeatmap(rt.store, scope, { limit: HEATMAP_ROWS, search }),
      performanceHistory(rt.store, scope),
      modelTags(rt.store, { model, ...dates }),
      loadSettings(rt.store, model),
      firstWindow(rt.store, model),
      signedInUser(),
      segment ? loadSegmentStats(rt, { model, ...dates, segment }) : undefined,
    ]);
  const estimated = await estimatedPerformanceHistory(rt.store, scope);
  const multivariate = await multivariateHistory(rt.store, scope);
  const embeddingDrift = await embeddingDriftHistory(rt.store, scope);
  const quality = await qualityHeatmap(rt.store, scope);
  const canEdit = abilities(user).edit;
  const m = overview.find((o) => o.model === model);
  if (!m) notFound();
  // Segments are the tag keys the model's settings configure: the detectors compute their drift
  // and performance and the rollups keep their traffic, so every panel answers for them.
  const segmentTags = tags.filter((t) => settings.segments.includes(t.key));
  const stats = segmentStats ?? m;

  const feature = chosenFeature(heatmap, one(sp.feature));
  const window =
    heatmap.windows.find((w) => w.to === one(sp.window)) ?? heatmap.windows.at(-1) ?? undefined;
  const windowScope = window && {
    model,
    segment: scope.segment,
    window: { from: Date.parse(window.from), to: Date.parse(window.to) },
  };
  const [history, histograms, reference] =
    feature && windowScope
      ? await Promise.all([
          featureDriftHistory(rt.store, { ...scope, feature }),
          featureHistograms(rt.store, { ...windowScope, feature }),
          windowReference(rt.store, windowScope),
        ])
      : [[], undefined, undefined];

  const base = new URLSearchParams();
  for (const k of ['range', 'from', 'to', 'tag', 'value', 'q']) {
    const v = one(sp[k]);
    if (v !== undefined) base.set(k, v);
  }
  const href = (f: string, w: string) => {
    const q = new URLSearchParams(base);
    q.set('feature', f);
    q.set('window', w);
    return `?${q}`;
  };
  const segmentNote = segment && `${segment.tag} = ${segment.value}`;

  return (
    <>
      <PageHeader
        title={model}
        crumbs={
          <>
            <Link href="/">Overview</Link> / model
          </>
        }
      >
        <SegmentFilter tags={segmentTags} segment={segment} />
        <TimeRangePicker range={range} />
        <RefreshControl />
      </PageHeader>
      <div className={styles.headerMeta} style={{ margin: '-8px 0 14px' }}>
        production{' '}
        {m.production_version ? (
          <span className={styles.prod} data-testid="production-version">
            {m.production_version}
          </span>
        ) : (
          <span>not promoted</span>
        )}
        · versions
        {m.versions.map((v) => (
          <span key={v} className={styles.version}>
            {v}
          </span>
        ))}
        · last prediction {ago(m.last_seen, range.to)} ·{' '}
        <Link href={`/versions?model=${encodeURIComponent(model)}`}>deployments</Link> ·{' '}
        <Link href={`/shadow?model=${encodeURIComponent(model)}`}>shadow runs</Link> ·{' '}
        <Link href={`/models/${encodeURIComponent(model)}/diagnostics?${base}`}>diagnostics</Link> ·{' '}
        <Link href={`/models/${encodeURIComponent(model)}/embeddings?${base}`}>embeddings</Link> ·{' '}
        <Link href="/alerts">alerts</Link>
      </div>
      <div className={styles.windowBar} data-testid="window-bar">
        <WindowLength model={model} settings={settings} canEdit={canEdit} />
        <SegmentKeys
          model={model}
          settings={settings}
          tagKeys={tags.map((t) => t.key)}
          canEdit={canEdit}
        />
        {!first && (
          <RecomputeWindows
            model={model}
            since={new Date(range.from).toISOString()}
            job={recomputeJobs().get(model)}
            canEdit={canEdit}
          />
        )}
      </div>
      {first && <FirstWindowNotice first={first} now={Date.now()} />}
      <StatRow>
        <Stat
          label="Predictions"
          value={compact(stats.events)}
          note={`${number(stats.events)} in ${segmentNote ?? range.title.toLowerCase()}`}
          testId="kpi-events"
        />
        <Stat
          label="Error rate"
          value={rate(stats.error_rate)}
          note={segmentNote ?? 'errored predictions'}
          tone={stats.error_rate !== null && stats.error_rate >= 0.05 ? 'bad' : 'default'}
          testId="kpi-error-rate"
        />
        <Stat
          label="p95 latency"
          value={ms(stats.latency_p95_ms)}
          note={segmentNote ?? 'over the range'}
          testId="kpi-p95"
        />
        <Stat
          label="Drift"
          value={<StatusBadge status={stats.drift.status} />}
          note={
            stats.drift.drifted_features.length > 0
              ? someOf(stats.drift.drifted_features)
              : stats.drift.window_end
                ? (segmentNote ?? 'latest window')
                : 'no drift report yet'
          }
          testId="kpi-drift"
        />
        <Stat
          label="Firing alerts"
          value={m.firing_alerts > 0 ? <Link href="/alerts">{m.firing_alerts}</Link> : 0}
          note={
            m.firing_alerts > 0 ? 'see Alerts' : segment ? 'all quiet (all traffic)' : 'all quiet'
          }
          tone={m.firing_alerts > 0 ? 'bad' : 'good'}
          testId="kpi-alerts"
        />
      </StatRow>

      <div className={styles.sections}>
        <TrafficPanels
          model={model}
          initial={series}
          range={range}
          stepSeconds={stepSeconds}
          segment={segment}
        />

        <section className={styles.panel} data-testid="drift">
          <div className={styles.panelHeader}>
            <h2>Data drift</h2>
            <span className={styles.panelNote}>
              {heatmap.windows.length > 0 &&
                `${plural(heatmap.features.total, 'feature')} × ${plural(heatmap.windows.length, 'window')}`}
              {window && reference && (
                <span data-testid="window-reference" data-outdated={reference.outdated}>
                  {` · ${clock(window.from)}–${clock(window.to)} compared with ${comparedLabel(reference.compared, clock)}`}
                  {reference.outdated &&
                    ' · the reference is another one now: recompute to compare with it'}
                </span>
              )}
            </span>
          </div>
          {heatmap.windows.length === 0 ? (
            <p className={styles.hint}>
              {first && !segment
                ? `Drift appears when the first window closes at ${clock(first.closes_at)} UTC.`
                : segment
                  ? `No drift results for ${segment.tag}=${segment.value} in this range. Drift is detected per segment for the tag keys listed in the model's settings (segments).`
                  : 'No drift results in this range yet. The detectors compare each window with the reference once it closes; a reference dataset (logReference in the SDK) gives the best comparison.'}
            </p>
          ) : (
            <>
              <div className={styles.panelBody}>
                <FeatureSearch
                  action={`/models/${encodeURIComponent(model)}`}
                  keep={Object.fromEntries([...base].filter(([k]) => k !== 'q'))}
                  search={search}
                  shown={heatmap.rows.filter((r) => r.target === 'feature').length}
                  {...heatmap.features}
                />
                <DriftHeatmap
                  heatmap={heatmap}
                  href={href}
                  selected={feature && window ? { feature, window: window.to } : undefined}
                  quality={quality}
                />
              </div>
              {feature && window && (
                <FeatureDrilldown
                  feature={feature}
                  window={window}
                  histograms={histograms}
                  history={history}
                />
              )}
            </>
          )}
        </section>

        <MultivariatePanel points={multivariate} />

        {embeddingDrift.length > 0 && (
          <EmbeddingsPanel
            points={embeddingDrift}
            mapHref={`/models/${encodeURIComponent(model)}/embeddings?${base}&name=`}
          />
        )}

        {performance.length > 0 ? (
          <PerformancePanel points={performance} />
        ) : (
          <section className={styles.panel} data-testid="performance">
            <div className={styles.panelHeader}>
              <h2>Performance</h2>
            </div>
            <p className={styles.hint}>
              {first &&
                `Performance appears when the first window closes at ${clock(first.closes_at)} UTC, for the predictions that have labels. `}
              No labelled predictions in this range. Send ground truth with <code>logLabel</code> /{' '}
              <code>log_label</code> (by event or request id) and each window gets its accuracy or
              error metrics.
            </p>
          </section>
        )}
        {estimated.some((p) => p.task === 'regression') ? (
          <EstimatedRegressionPanel points={estimated} realized={performance} />
        ) : (
          <EstimatedPerformancePanel points={estimated} realized={performance} />
        )}
      </div>
      <DriftWatcher
        model={model}
        latestWindowEnd={heatmap.windows.at(-1)?.to ?? null}
        segment={segment}
      />
    </>
  );
}
