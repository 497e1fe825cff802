import { IntentLink as Link } from '@/components/ui/intent-link';
import { Badge, Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { number, when, whenSeconds } from '@/lib/actions/format';
import { Scope, SeverityBadge, StateBadge } from './labels';
import type { AlertEvent, AlertInstance } from './types';
import styles from './alerts.module.css';

const silenceHref = (a: { rule: string | null; model: string }) =>
  `/alerts?tab=silences&alertname=${encodeURIComponent(a.rule ?? '')}&model=${encodeURIComponent(a.model)}`;

/** Alert instances that are firing or pending now, firing first. */
export function ActiveAlerts({ alerts, canEdit }: { alerts: AlertInstance[]; canEdit: boolean }) {
  return (
    <Panel title="Firing and pending" count={alerts.length} testId="active-alerts">
      {alerts.length === 0 ? (
        <div className={ui.empty}>Nothing is firing.</div>
      ) : (
        <table className={ui.table}>
          <TableHead
            columns={[
              'State',
              'Rule',
              'Model',
              'Scope',
              { label: 'Value', num: true },
              'Window',
              'Since',
            ]}
            actions
          />
          <tbody>
            {alerts.map((a) => (
              <tr key={a.fingerprint} data-testid="alert-row" data-state={a.state}>
                <td>
                  <StateBadge state={a.state} />
                  {a.state === 'pending' && (
                    <div className={cx(ui.small, ui.muted)}>{a.consecutive} breaching</div>
                  )}
                </td>
                <td style={{ minWidth: 160 }}>
                  <strong>{a.rule ?? a.rule_id.slice(0, 8)}</strong>{' '}
                  <SeverityBadge severity={a.severity} />
                  <div className={styles.condText}>{a.metric}</div>
                </td>
                <td className={ui.nowrap}>
                  <Link href={`/models/${encodeURIComponent(a.model)}`}>{a.model}</Link>
                </td>
                <td className={cx(ui.small, styles.scope)}>
                  <Scope feature={a.feature} segment={a.segment} />
                </td>
                <td className={ui.num}>{number(a.value)}</td>
                <td className={cx(ui.small, ui.nowrap)}>{when(a.window.from)}</td>
                <td className={cx(ui.small, ui.nowrap)}>
                  {when(a.fired_at ?? a.active_since)}
                  <div className={ui.muted}>
                    {a.notified_at ? `notified ${when(a.notified_at)}` : 'not notified'}
                  </div>
                </td>
                <td className={ui.actions}>
                  {canEdit && (
                    <Link className={ui.button} href={silenceHref(a)}>
                      Silence…
                    </Link>
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

/** The newest transitions and actions: fired, resolved, pending, rolled back. */
export function AlertHistory({ events }: { events: AlertEvent[] }) {
  return (
    <Panel title="History" count={events.length} testId="alert-history">
      {events.length === 0 ? (
        <div className={ui.empty}>No alert has changed state yet.</div>
      ) : (
        <table className={ui.table}>
          <TableHead
            columns={[
              'Time',
              'Event',
              'Rule',
              'Model',
              'Scope',
              { label: 'Value', num: true },
              'Condition',
              'Window',
            ]}
          />
          <tbody>
            {events.map((e) => (
              <tr key={e.event_id}>
                <td className={cx(ui.small, ui.nowrap)}>{whenSeconds(e.timestamp)}</td>
                <td className={ui.nowrap}>
                  <StateBadge state={e.event} /> {e.silenced && <Badge>silenced</Badge>}
                  <div className={cx(ui.small, ui.muted)}>from {e.from_state}</div>
                </td>
                <td>
                  {e.rule} <SeverityBadge severity={e.severity} />
                </td>
                <td className={ui.nowrap}>{e.model}</td>
                <td className={cx(ui.small, styles.scope)}>
                  <Scope feature={e.feature} segment={e.segment} />
                </td>
                <td className={ui.num}>{number(e.value)}</td>
                <td className={styles.condText}>
                  {e.metric} {e.op} {number(e.threshold)}
                </td>
                <td className={cx(ui.small, ui.nowrap)}>{when(e.window.from)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
