import { Badge, Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { whenSeconds } from '@/lib/actions/format';
import type { NotificationEntry } from './types';

/** Every delivery attempt with its status, response code and error. */
export function NotificationLog({ entries }: { entries: NotificationEntry[] }) {
  return (
    <Panel title="Notification log" count={entries.length} testId="notification-log">
      {entries.length === 0 ? (
        <div className={ui.empty}>Nothing sent yet.</div>
      ) : (
        <table className={ui.table}>
          <TableHead
            columns={[
              'Time',
              'Kind',
              'Channel',
              'Model',
              { label: 'Attempt', num: true },
              'Status',
              { label: 'Code', num: true },
              { label: 'Took', num: true },
              'Error / next attempt',
            ]}
          />
          <tbody>
            {entries.map((n, i) => (
              <tr key={`${n.delivery_id}-${n.attempt}-${i}`} data-testid="notification-row">
                <td className={cx(ui.small, ui.nowrap)}>{whenSeconds(n.timestamp)}</td>
                <td className={ui.small}>{n.kind}</td>
                <td>
                  {n.channel_name} <span className={cx(ui.muted, ui.small)}>{n.channel_kind}</span>
                </td>
                <td>{n.model || '—'}</td>
                <td className={ui.num}>{n.attempt}</td>
                <td>
                  <Badge
                    tone={
                      n.status === 'delivered' ? 'green' : n.status === 'failed' ? 'red' : 'amber'
                    }
                  >
                    {n.status}
                  </Badge>
                </td>
                <td className={ui.num}>{n.response_code ?? '—'}</td>
                <td className={ui.num}>{Math.round(n.duration_ms)} ms</td>
                <td className={ui.small} style={{ maxWidth: 340, overflowWrap: 'anywhere' }}>
                  {n.error}
                  {n.next_attempt_at && (
                    <div className={ui.muted}>retry at {whenSeconds(n.next_attempt_at)}</div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
