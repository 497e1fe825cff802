import { IntentLink as Link } from '@/components/ui/intent-link';
import { AutoRefresh } from '@/components/actions/auto-refresh';
import { Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { ago, compact } from '@/components/ui/format';
import { PageHeader } from '@/components/ui/page-header';
import { StatusBadge } from '@/components/ui/status-badge';
import { loadModelList } from '@/lib/dashboard/models-list';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Models · Osprey' };

/** Every model Osprey knows, logged or only registered, with links to its page and versions. */
export default async function ModelsPage() {
  const models = await loadModelList(runtime());
  const now = Date.now();
  return (
    <div className={ui.page}>
      <PageHeader title="Models" crumbs={`${models.length} known`}>
        <AutoRefresh />
      </PageHeader>
      <Panel title="Models" count={models.length} testId="models-list">
        {models.length === 0 ? (
          <div className={ui.empty}>
            No models yet. Log predictions with the SDK (see the README), or register a version with{' '}
            <code>osprey models push</code>.
          </div>
        ) : (
          <table className={ui.table}>
            <TableHead
              columns={[
                'Model',
                'Production',
                'Versions',
                { label: 'Predictions', num: true },
                'Drift',
                { label: 'Firing alerts', num: true },
                { label: 'Last seen', num: true },
              ]}
            />
            <tbody>
              {models.map((m) => (
                <tr key={m.model} data-testid="models-list-row" data-model={m.model}>
                  <td>
                    <strong>
                      <Link href={`/models/${encodeURIComponent(m.model)}`}>{m.model}</Link>
                    </strong>
                  </td>
                  <td data-testid="production-version">
                    {m.production_version ?? <span className={ui.muted}>not promoted</span>}
                  </td>
                  <td className={ui.small}>
                    {m.logged_versions.join(', ') || <span className={ui.muted}>none logged</span>}
                    <div className={ui.muted}>
                      <Link href={`/versions?model=${encodeURIComponent(m.model)}`}>
                        {m.registered_versions} registered
                      </Link>
                    </div>
                  </td>
                  <td className={ui.num} title={m.events.toLocaleString('en-US')}>
                    {compact(m.events)}
                  </td>
                  <td>
                    <StatusBadge
                      status={m.drift.status}
                      title={m.drift.drifted_features.join(', ') || undefined}
                    />
                  </td>
                  <td className={ui.num}>
                    {m.firing_alerts > 0 ? (
                      <Link href="/alerts">{m.firing_alerts}</Link>
                    ) : (
                      <span className={ui.muted}>0</span>
                    )}
                  </td>
                  <td className={cx(ui.num, ui.small)}>{ago(m.last_seen, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
