'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '@/components/actions/confirm-action';
import { useApiForm } from '@/components/actions/use-api-form';
import {
  ActionButton,
  Badge,
  Callout,
  Field,
  Panel,
  TableHead,
  cx,
  ui,
} from '@/components/actions/primitives';
import { callApi, describeError } from '@/lib/actions/api-client';
import { whenSeconds } from '@/lib/actions/format';
import { SecretOnce } from './secret-once';

export interface ChannelRow {
  id: string;
  kind: 'email' | 'webhook';
  name: string;
  to?: string[];
  url?: string;
  format?: string;
  deployments?: boolean;
  enabled: boolean;
  /** The latest test send, from the notification log. */
  last_test?: (TestResult & { at: string }) | null;
  disabled_reason: string | null;
}

type TestResult = { delivered: boolean; status_code: number | null; error: string | null };

/** Email and webhook channels: create (a webhook's signing secret shown once), send a test, delete. */
export function Channels({ channels }: { channels: ChannelRow[] }) {
  const router = useRouter();
  const [kind, setKind] = useState<'email' | 'webhook'>('email');
  const { errors, busy, run } = useApiForm(['name', 'to', 'url', 'format', 'kind']);
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [tests, setTests] = useState<
    Record<string, (TestResult & { at: string }) | 'sending' | string>
  >({});
  const [deleting, setDeleting] = useState<ChannelRow>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const name = String(form.get('name') ?? '');
    const body =
      kind === 'email'
        ? {
            kind,
            name,
            to: String(form.get('to') ?? '')
              .split(/[,\s]+/)
              .filter(Boolean),
          }
        : {
            kind,
            name,
            url: String(form.get('url') ?? ''),
            format: String(form.get('format') ?? 'standard'),
            deployments: form.get('deployments') === 'on',
          };
    const res = await run(() =>
      callApi<ChannelRow & { secret?: string }>('POST', '/api/v1/channels', body),
    );
    if (!res.ok) return;
    if (res.data!.secret) setSecret({ name: res.data!.name, secret: res.data!.secret });
    formEl.reset();
    router.refresh();
  }

  async function sendTest(c: ChannelRow) {
    setTests((t) => ({ ...t, [c.id]: 'sending' }));
    const res = await callApi<TestResult>('POST', `/api/v1/channels/${c.id}/test`);
    // A failed send answers 502 with the attempt's details, as a delivered one answers 200.
    const attempt = (res.ok ? res.data : res.status === 502 ? res.raw : undefined) as
      TestResult | undefined;
    const at = new Date().toISOString();
    setTests((t) => ({ ...t, [c.id]: attempt ? { ...attempt, at } : describeError(res) }));
    router.refresh();
  }

  return (
    <>
      <Panel title="New channel">
        <form className={cx(ui.form, ui.panelBody)} onSubmit={create} data-testid="channel-form">
          <div className={ui.grid4}>
            <Field label="Kind" error={errors.kind}>
              <select
                name="kind"
                value={kind}
                onChange={(e) => setKind(e.target.value as 'email' | 'webhook')}
              >
                <option value="email">email</option>
                <option value="webhook">webhook</option>
              </select>
            </Field>
            <Field label="Name" error={errors.name}>
              <input name="name" placeholder="ML on-call" />
            </Field>
            {kind === 'email' ? (
              <Field
                label="To"
                error={errors.to}
                hint="addresses, comma-separated"
                className={ui.wide}
              >
                <input name="to" placeholder="ml-oncall@example.com" />
              </Field>
            ) : (
              <Field
                label="URL"
                error={errors.url}
                hint="https://… (signed, Standard Webhooks)"
                className={ui.wide}
              >
                <input name="url" placeholder="https://hooks.example.com/osprey" />
              </Field>
            )}
          </div>
          {kind === 'webhook' && (
            <div className={ui.grid4}>
              <Field label="Format" error={errors.format}>
                <select name="format" defaultValue="standard">
                  <option value="standard">standard (JSON)</option>
                  <option value="slack">slack</option>
                </select>
              </Field>
              <Field label="Also send">
                <span className={ui.checks}>
                  <label>
                    <input type="checkbox" name="deployments" /> deployment.changed
                  </label>
                </span>
              </Field>
            </div>
          )}
          {errors.form && <Callout tone="error">{errors.form}</Callout>}
          {secret && (
            <SecretOnce
              label={`Signing secret of “${secret.name}”`}
              secret={secret.secret}
              onDismiss={() => setSecret(undefined)}
            />
          )}
          <div className={ui.formActions}>
            <button type="submit" className={cx(ui.button, ui.primary)} disabled={busy}>
              Create channel
            </button>
          </div>
        </form>
      </Panel>
      <Panel title="Channels" count={channels.length} testId="channels">
        {channels.length === 0 ? (
          <div className={ui.empty}>No channels. Alert rules notify the channels they name.</div>
        ) : (
          <table className={ui.table}>
            <TableHead columns={['Name', 'Kind', 'Destination', 'Status', 'Last test']} actions />
            <tbody>
              {channels.map((c) => {
                // This page's own send first, else the latest one on record.
                const t = tests[c.id] ?? c.last_test ?? undefined;
                return (
                  <tr key={c.id} data-testid="channel-row" data-name={c.name}>
                    <td>
                      <strong>{c.name}</strong>
                    </td>
                    <td>
                      <Badge tone={c.kind === 'email' ? 'blue' : 'gray'}>{c.kind}</Badge>
                      {c.kind === 'webhook' && (
                        <div className={cx(ui.small, ui.muted)}>
                          {c.format}
                          {c.deployments && ' · deployments'}
                        </div>
                      )}
                    </td>
                    <td
                      className={cx(ui.small, ui.mono)}
                      style={{ overflowWrap: 'anywhere', maxWidth: 360 }}
                    >
                      {c.kind === 'email' ? c.to?.join(', ') : c.url}
                    </td>
                    <td>
                      {c.enabled ? (
                        <Badge tone="green">enabled</Badge>
                      ) : (
                        <span title={c.disabled_reason ?? ''}>
                          <Badge tone="red">disabled</Badge>
                          <div className={cx(ui.small, ui.muted)}>{c.disabled_reason}</div>
                        </span>
                      )}
                    </td>
                    <td className={ui.small} data-testid="test-result">
                      {t === undefined ? (
                        <span className={ui.muted}>—</span>
                      ) : t === 'sending' ? (
                        'sending…'
                      ) : typeof t === 'string' ? (
                        <span style={{ color: '#b42318' }}>{t}</span>
                      ) : (
                        <>
                          <span data-testid="test-outcome">
                            {t.delivered ? (
                              <Badge tone="green">
                                delivered{t.status_code ? ` · ${t.status_code}` : ''}
                              </Badge>
                            ) : (
                              <span style={{ color: '#b42318' }}>
                                failed{t.status_code ? ` (${t.status_code})` : ''}: {t.error}
                              </span>
                            )}
                          </span>
                          <div className={ui.muted} data-testid="test-time">
                            {whenSeconds(t.at)}
                          </div>
                        </>
                      )}
                    </td>
                    <td className={ui.actions}>
                      <ActionButton disabled={t === 'sending'} onClick={() => void sendTest(c)}>
                        Send test
                      </ActionButton>{' '}
                      <ActionButton tone="danger" onClick={() => setDeleting(c)}>
                        Delete
                      </ActionButton>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
      <ConfirmAction
        open={deleting !== undefined}
        title={`Delete channel “${deleting?.name ?? ''}”?`}
        confirm="Delete"
        action={() => callApi('DELETE', `/api/v1/channels/${deleting!.id}`)}
        onClose={() => setDeleting(undefined)}
        onDone={() => router.refresh()}
      >
        <p className={ui.small} style={{ margin: 0 }}>
          Rules that name it stop notifying it; queued messages to it are dropped.
        </p>
      </ConfirmAction>
    </>
  );
}
