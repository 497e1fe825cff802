'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ConfirmAction } from '@/components/actions/confirm-action';
import { useApiForm } from '@/components/actions/use-api-form';
import { Badge, Callout, Field, Panel, TableHead, cx, ui } from '@/components/actions/primitives';
import { callApi, describeError } from '@/lib/actions/api-client';
import { when } from '@/lib/actions/format';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: 'viewer' | 'editor' | 'admin';
  created_at: string;
}

const ROLES = [
  { id: 'viewer', help: 'reads everything' },
  { id: 'editor', help: 'also rules, silences, shadow runs, promote, rollback, uploads' },
  { id: 'admin', help: 'also users, API keys and channels' },
] as const;

/** Users and their roles: add, change a role (takes effect on their next request), remove. */
export function Users({ users, me }: { users: UserRow[]; me: string }) {
  const router = useRouter();
  const { errors, busy, run } = useApiForm(['email', 'name', 'role', 'password']);
  const [rowError, setRowError] = useState<string>();
  const [deleting, setDeleting] = useState<UserRow>();

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const name = String(form.get('name') ?? '').trim();
    const res = await run(() =>
      callApi('POST', '/api/v1/users', {
        email: String(form.get('email') ?? ''),
        ...(name && { name }),
        role: String(form.get('role') ?? 'viewer'),
        password: String(form.get('password') ?? ''),
      }),
    );
    if (!res.ok) return;
    formEl.reset();
    router.refresh();
  }

  async function changeRole(u: UserRow, role: string) {
    setRowError(undefined);
    const res = await callApi('PUT', `/api/v1/users/${u.id}`, { role });
    if (!res.ok) setRowError(`${u.email}: ${describeError(res)}`);
    router.refresh();
  }

  return (
    <>
      <Panel title="Add a user">
        <form className={cx(ui.form, ui.panelBody)} onSubmit={create} data-testid="user-form">
          <div className={ui.grid4}>
            <Field label="Email" error={errors.email}>
              <input name="email" type="email" autoComplete="off" />
            </Field>
            <Field label="Name" error={errors.name}>
              <input name="name" autoComplete="off" />
            </Field>
            <Field label="Role" error={errors.role}>
              <select name="role" defaultValue="viewer">
                {ROLES.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.id} — {r.help}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Initial password" error={errors.password} hint="12 characters or more">
              <input name="password" type="password" autoComplete="new-password" />
            </Field>
          </div>
          {errors.form && <Callout tone="error">{errors.form}</Callout>}
          <div className={ui.formActions}>
            <button type="submit" className={cx(ui.button, ui.primary)} disabled={busy}>
              Add user
            </button>
          </div>
        </form>
      </Panel>
      <Panel title="Users" count={users.length} testId="users">
        {rowError && (
          <div className={ui.panelBody}>
            <Callout tone="error">{rowError}</Callout>
          </div>
        )}
        <table className={ui.table}>
          <TableHead columns={['Email', 'Name', 'Role', 'Created']} actions />
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid="user-row" data-email={u.email}>
                <td>
                  <strong>{u.email}</strong> {u.id === me && <Badge tone="blue">you</Badge>}
                </td>
                <td>{u.name || <span className={ui.muted}>—</span>}</td>
                <td>
                  <select
                    className={ui.inlineSelect}
                    aria-label={`role of ${u.email}`}
                    value={u.role}
                    onChange={(e) => void changeRole(u, e.target.value)}
                  >
                    {ROLES.map((r) => (
                      <option key={r.id} value={r.id}>
                        {r.id}
                      </option>
                    ))}
                  </select>
                </td>
                <td className={cx(ui.small, ui.nowrap)}>{when(u.created_at)}</td>
                <td className={ui.actions}>
                  <button
                    type="button"
                    className={cx(ui.button, ui.danger)}
                    onClick={() => setDeleting(u)}
                    disabled={u.id === me}
                    title={u.id === me ? 'you cannot remove yourself' : ''}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
      <ConfirmAction
        open={deleting !== undefined}
        title={`Remove ${deleting?.email ?? ''}?`}
        confirm="Remove"
        action={() => callApi('DELETE', `/api/v1/users/${deleting!.id}`)}
        onClose={() => setDeleting(undefined)}
        onDone={() => router.refresh()}
      >
        <p className={ui.small} style={{ margin: 0 }}>
          Their sessions end at once. Their past actions stay in the audit log.
        </p>
      </ConfirmAction>
    </>
  );
}
