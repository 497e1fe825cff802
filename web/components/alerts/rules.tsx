'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmAction } from '@/components/actions/confirm-action';
import { ActionButton, Badge, Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { callApi } from '@/lib/actions/api-client';
import { number, when } from '@/lib/actions/format';
import { Scope, SeverityBadge } from './labels';
import { RuleEditor } from './rule-editor';
import type { AlertRule, ChannelChoice } from './types';
import styles from './alerts.module.css';

/** The rules, with the editor opened above them for a new rule or the one being edited. */
export function Rules(props: {
  rules: AlertRule[];
  models: string[];
  channels: ChannelChoice[];
  canEdit: boolean;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState<AlertRule | 'new'>();
  const [deleting, setDeleting] = useState<AlertRule>();
  const channelName = new Map(props.channels.map((c) => [c.id, c.name]));

  return (
    <>
      {editing && (
        <RuleEditor
          key={editing === 'new' ? 'new' : editing.id}
          rule={editing === 'new' ? undefined : editing}
          models={props.models}
          channels={props.channels}
          defaultModel={props.models[0]}
          onDone={(saved) => {
            setEditing(undefined);
            if (saved) router.refresh();
          }}
        />
      )}
      <Panel
        title="Rules"
        count={props.rules.length}
        testId="rules"
        actions={
          <ActionButton
            tone="primary"
            allowed={props.canEdit}
            onClick={() => setEditing('new')}
            testId="new-rule"
          >
            New rule
          </ActionButton>
        }
      >
        {props.rules.length === 0 ? (
          <div className={ui.empty}>
            No alert rules. A rule watches a metric of a model, e.g. drift.psi &gt; 0.2 on a
            feature, and notifies channels when it fires.
          </div>
        ) : (
          <table className={ui.table}>
            <TableHead
              columns={['Name', 'Model', 'Condition', 'Scope', 'Severity', 'Notifies']}
              actions
            />
            <tbody>
              {props.rules.map((r) => (
                <tr
                  key={r.id}
                  data-testid="rule-row"
                  data-name={r.name}
                  className={cx(!r.enabled && styles.disabledRow)}
                >
                  <td>
                    <strong>{r.name}</strong> {!r.enabled && <Badge>disabled</Badge>}
                    {r.description && <div className={cx(ui.small, ui.muted)}>{r.description}</div>}
                    <div className={cx(ui.small, ui.muted)}>updated {when(r.updated_at)}</div>
                  </td>
                  <td className={ui.nowrap}>{r.model}</td>
                  <td className={styles.condText}>
                    {r.metric} {r.op} {number(r.threshold)}
                    {r.for > 1 && ` for ${r.for}`}
                  </td>
                  <td className={cx(ui.small, styles.scope)}>
                    <Scope feature={r.feature} segment={r.segment} />
                  </td>
                  <td>
                    <SeverityBadge severity={r.severity} />
                    {r.action === 'rollback' && (
                      <div>
                        <Badge tone="amber">rollback</Badge>
                      </div>
                    )}
                  </td>
                  <td className={ui.small}>
                    {r.channels.length ? (
                      <>
                        {r.channels.map((c) => channelName.get(c) ?? c.slice(0, 8)).join(', ')}
                        <div className={ui.muted}>again every {r.repeat_interval}</div>
                      </>
                    ) : (
                      <span className={cx(ui.muted, ui.nowrap)}>no channel</span>
                    )}
                  </td>
                  <td className={ui.actions}>
                    <ActionButton allowed={props.canEdit} onClick={() => setEditing(r)}>
                      Edit
                    </ActionButton>{' '}
                    <ActionButton
                      tone="danger"
                      allowed={props.canEdit}
                      onClick={() => setDeleting(r)}
                    >
                      Delete
                    </ActionButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <ConfirmAction
        open={deleting !== undefined}
        title={`Delete rule “${deleting?.name ?? ''}”?`}
        confirm="Delete"
        action={() => callApi('DELETE', `/api/v1/alert-rules/${deleting!.id}`)}
        onClose={() => setDeleting(undefined)}
        onDone={() => router.refresh()}
      >
        <p className={ui.small} style={{ margin: 0 }}>
          Its alerts stop being evaluated; their history stays in the log.
        </p>
      </ConfirmAction>
    </>
  );
}
