'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '@/components/actions/confirm-action';
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
import { useApiForm } from '@/components/actions/use-api-form';
import { callApi } from '@/lib/actions/api-client';
import { when } from '@/lib/actions/format';
import { SecretOnce } from './secret-once';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  revoked_at: string | null;
}

const SCOPES = [
  { id: 'ingest', help: 'send predictions, labels and reference data' },
  { id: 'read', help: 'read the API (acts as a viewer)' },
  { id: 'admin', help: 'change anything (acts as an admin)' },
];

/** API keys for automation: create (the secret is shown once) and revoke. */
export function ApiKeys({ keys }: { keys: ApiKeyRow[] }) {
  const router = useRouter();
  const { errors, busy, run } = useApiForm(['name', 'scopes']);
  const [created, setCreated] = useState<{ name: string; key: string }>();
  const [revoking, setRevoking] = useState<ApiKeyRow>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const res = await run(() =>
      callApi<ApiKeyRow & { key: string }>('POST', '/api/v1/api-keys', {
        name: String(form.get('name') ?? ''),
        scopes: form.getAll('scopes').map(String),
      }),
    );
    if (!res.ok) return;
    setCreated({ name: res.data!.name, key: res.data!.key });
    formEl.reset();
    router.refresh();
  }

  const active = keys.filter((k) => !k.revoked_at);
  return (
    <>
      <Panel title="New API key">
        <form className={cx(ui.form, ui.panelBody)} onSubmit={create} data-testid="api-key-form">
          <div className={ui.grid3}>
            <Field
              label="Name"
              error={errors.name}
              hint="Who or what uses it, e.g. checkout-service"
            >
              <input name="name" />
            </Field>
            <Field label="Scopes" error={errors.scopes} className={ui.wide}>
              <span className={ui.checks}>
                {SCOPES.map((s) => (
                  <label key={s.id} title={s.help}>
                    <input
                      type="checkbox"
                      name="scopes"
                      value={s.id}
                      defaultChecked={s.id === 'ingest'}
                    />
                    {s.id} <span className={ui.muted}>— {s.help}</span>
                  </label>
                ))}
              </span>
            </Field>
          </div>
          {errors.form && <Callout tone="error">{errors.form}</Callout>}
          {created && (
            <SecretOnce
              label={`API key “${created.name}”`}
              secret={created.key}
              onDismiss={() => setCreated(undefined)}
            />
          )}
          <div className={ui.formActions}>
            <button type="submit" className={cx(ui.button, ui.primary)} disabled={busy}>
              Create key
            </button>
          </div>
        </form>
      </Panel>
      <Panel title="API keys" count={active.length} testId="api-keys">
        {keys.length === 0 ? (
          <div className={ui.empty}>No API keys.</div>
        ) : (
          <table className={ui.table}>
            <TableHead columns={['Name', 'Key', 'Scopes', 'Created', 'Status']} actions />
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} data-testid="api-key-row" data-name={k.name}>
                  <td>
                    <strong>{k.name}</strong>
                  </td>
                  <td className={ui.mono}>{k.prefix}…</td>
                  <td>
                    {k.scopes.map((s) => (
                      <span key={s} style={{ marginRight: 4 }}>
                        <Badge tone={s === 'admin' ? 'red' : s === 'read' ? 'blue' : 'gray'}>
                          {s}
                        </Badge>
                      </span>
                    ))}
                  </td>
                  <td className={cx(ui.small, ui.nowrap)}>{when(k.created_at)}</td>
                  <td>
                    {k.revoked_at ? (
                      <span className={ui.small}>
                        <Badge>revoked</Badge> {when(k.revoked_at)}
                      </span>
                    ) : (
                      <Badge tone="green">active</Badge>
                    )}
                  </td>
                  <td className={ui.actions}>
                    {!k.revoked_at && (
                      <ActionButton tone="danger" onClick={() => setRevoking(k)}>
                        Revoke
                      </ActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <ConfirmAction
        open={revoking !== undefined}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirm="Revoke"
        action={() => callApi('DELETE', `/api/v1/api-keys/${revoking!.id}`)}
        onClose={() => setRevoking(undefined)}
        onDone={() => router.refresh()}
      >
        <p className={ui.small} style={{ margin: 0 }}>
          Requests with this key are refused from now on. This cannot be undone.
        </p>
      </ConfirmAction>
    </>
  );
}
