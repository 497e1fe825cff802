import { IntentLink as Link } from '@/components/ui/intent-link';
import { modelTags } from '@osprey/db';
import { cachedDiagnose, loadSettings } from '@osprey/detectors';
import { DiagnosticsPanel } from '@/components/model/diagnostics-panel';
import { SegmentFilter } from '@/components/model/segment-filter';
import styles from '@/components/model/model.module.css';
import { modelPageQuery, one, type Params } from '@/components/model/page-query';
import { PageHeader } from '@/components/ui/page-header';
import { nextMinute } from '@/lib/api/diagnostics';
import { RefreshControl } from '@/components/ui/refresh';
import { TimeRangePicker } from '@/components/ui/time-range-picker';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: { params: Promise<{ model: string }> }) {
  return { title: `${decodeURIComponent((await props.params).model)} diagnostics · Osprey` };
}

/** Where a model fails over the picked range (or one segment of it), from its labelled predictions. */
export default async function DiagnosticsPage(props: {
  params: Promise<{ model: string }>;
  searchParams: Promise<Params>;
}) {
  const { model, sp, range, segment } = await modelPageQuery(props);
  const store = runtime().store;
  const settings = await loadSettings(store, model);
  const to = range.live ? nextMinute(range.to) : range.to;
  const [diagnostics, tags] = await Promise.all([
    cachedDiagnose(store, settings, {
      model,
      window: { from: to - (range.to - range.from), to },
      segment: segment && { key: segment.tag, value: segment.value },
    }),
    modelTags(store, { model, from: new Date(range.from), to: new Date(range.to) }),
  ]);
  const back = new URLSearchParams();
  for (const k of ['range', 'from', 'to', 'tag', 'value']) {
    const v = one(sp[k]);
    if (v !== undefined) back.set(k, v);
  }
  return (
    <>
      <PageHeader
        title={`${model} · diagnostics`}
        crumbs={
          <>
            <Link href="/">Overview</Link> /{' '}
            <Link href={`/models/${encodeURIComponent(model)}?${back}`}>{model}</Link> / diagnostics
          </>
        }
      >
        <SegmentFilter
          tags={tags.filter((t) => settings.segments.includes(t.key))}
          segment={segment}
        />
        <TimeRangePicker range={range} />
        <RefreshControl />
      </PageHeader>
      <div className={styles.headerMeta} style={{ margin: '-8px 0 14px' }}>
        {diagnostics.labelled.toLocaleString('en-US')} labelled predictions · {range.title}
        {segment && ` · ${segment.tag} = ${segment.value}`}
      </div>
      {diagnostics.labelled === 0 ? (
        <section className={styles.panel} data-testid="diagnostics-empty">
          <p className={styles.hint}>
            No labelled predictions in this range. Send ground truth with <code>logLabel</code> /{' '}
            <code>log_label</code> (by event or request id); the diagnostics are computed from the
            predictions that have a label, whenever it arrives.
          </p>
        </section>
      ) : (
        <DiagnosticsPanel diagnostics={diagnostics} />
      )}
    </>
  );
}
