import { IntentLink as Link } from '@/components/ui/intent-link';
import { embeddingMap, embeddingNames, loadSettings } from '@osprey/detectors';
import { EmbeddingMapView } from '@/components/model/embedding-map-view';
import styles from '@/components/model/model.module.css';
import e from '@/components/model/embeddings.module.css';
import { modelPageQuery, one, type Params } from '@/components/model/page-query';
import { PageHeader } from '@/components/ui/page-header';
import { nextMinute } from '@/lib/api/diagnostics';
import { RefreshControl } from '@/components/ui/refresh';
import { TimeRangePicker } from '@/components/ui/time-range-picker';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

export async function generateMetadata(props: { params: Promise<{ model: string }> }) {
  return { title: `${decodeURIComponent((await props.params).model)} embeddings · Osprey` };
}

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Where a model's vectors of one embedding drifted over the picked range, and what the new inputs are. */
export default async function EmbeddingsPage(props: {
  params: Promise<{ model: string }>;
  searchParams: Promise<Params>;
}) {
  const { model, sp, range } = await modelPageQuery(props);
  const store = runtime().store;
  const names = await embeddingNames(store, model);
  const name = one(sp.name) ?? names[0];
  const to = range.live ? nextMinute(range.to) : range.to;
  const window = { from: to - (range.to - range.from), to };
  const map =
    name === undefined
      ? undefined
      : await embeddingMap(store, await loadSettings(store, model), { model, window }, name);
  const keep = new URLSearchParams();
  for (const k of ['range', 'from', 'to']) {
    const v = one(sp[k]);
    if (v !== undefined) keep.set(k, v);
  }
  const rangeQuery = `from=${encodeURIComponent(new Date(window.from).toISOString())}&to=${encodeURIComponent(new Date(window.to).toISOString())}`;
  return (
    <>
      <PageHeader
        title={`${model} · embeddings`}
        crumbs={
          <>
            <Link href="/">Overview</Link> /{' '}
            <Link href={`/models/${encodeURIComponent(model)}?${keep}`}>{model}</Link> / embeddings
          </>
        }
      >
        <TimeRangePicker range={range} />
        <RefreshControl />
      </PageHeader>
      {names.length === 0 || !map ? (
        <section className={styles.panel} data-testid="embeddings-empty">
          <p className={styles.hint}>
            This model logs no embeddings. Send vectors with <code>embeddings</code> in{' '}
            <code>log()</code> (both SDKs); each name is monitored like a feature.
          </p>
        </section>
      ) : (
        <>
          <nav className={e.tabs} aria-label="embedding">
            {names.map((n) => {
              const q = new URLSearchParams(keep);
              q.set('name', n);
              return (
                <Link key={n} href={`?${q}`} aria-current={n === name ? 'page' : undefined}>
                  {n}
                </Link>
              );
            })}
          </nav>
          <section className={styles.panel}>
            <div className={styles.panelHeader}>
              <h2>Where “{name}” drifted</h2>
              <span className={styles.panelNote} data-testid="embedding-map-summary">
                {map.reason
                  ? map.reason
                  : `${map.window_rows.toLocaleString('en-US')} vectors in ${range.title.toLowerCase()} against ${map.reference!.rows.toLocaleString('en-US')} reference vectors (${map.dimension} dimensions) · the plane of the reference's first two principal components (${percent(map.explained_variance_ratio![0] + map.explained_variance_ratio![1])} of its variance) · ${percent(map.over_share ?? 0)} of this range in regions the reference rarely covers`}
              </span>
            </div>
            <div className={styles.panelBody}>
              {map.reason ? (
                <p className={styles.hint}>No map: {map.reason}.</p>
              ) : (
                <EmbeddingMapView map={map} range={rangeQuery} />
              )}
            </div>
          </section>
        </>
      )}
    </>
  );
}
