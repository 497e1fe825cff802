'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
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
import { callApi, describeError } from '@/lib/actions/api-client';
import { actor, when } from '@/lib/actions/format';
import type { Silence } from './types';
import styles from './alerts.module.css';

const LABELS = ['alertname', 'model', 'metric', 'feature', 'segment', 'severity', 'rule_id'];
const MATCH_OPS = ['=', '!=', '=~', '!~'];
const DURATIONS = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '4 hours', ms: 4 * 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '1 week', ms: 7 * 86_400_000 },
];

type Matcher = { name: string; op: string; value: string };

/** Active (and, on request, expired) silences; create one from matchers and an expiry, expire one now. */
export function Silences(props: {
  silences: Silence[];
  showAll: boolean;
  initialMatchers: Matcher[];
  canEdit: boolean;
  actors: Record<string, string>;
}) {
  const router = useRouter();
  const [matchers, setMatchers] = useState<Matcher[]>(
    props.initialMatchers.length
      ? props.initialMatchers
      : [{ name: 'alertname', op: '=', value: '' }],
  );
  const { errors, busy, run } = useApiForm(['matchers', 'ends_at', 'comment']);
  const [listError, setListError] = useState<string>();
  const disabled = !props.canEdit;

  const setMatcher = (i: number, patch: Partial<Matcher>) =>
    setMatchers((ms) => ms.map((m, j) => (j === i ? { ...m, ...patch } : m)));

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formEl = event.currentTarget;
    const form = new FormData(formEl);
    const ms = Number(form.get('duration'));
    const body = {
      matchers,
      ends_at: new Date(Date.now() + ms).toISOString(),
      comment: String(form.get('comment') ?? ''),
    };
    const res = await run(() => callApi('POST', '/api/v1/silences', body));
    if (!res.ok) return;
    setMatchers([{ name: 'alertname', op: '=', value: '' }]);
    formEl.reset();
    router.refresh();
  }

  async function expire(s: Silence) {
    setListError(undefined);
    const res = await callApi('DELETE', `/api/v1/silences/${s.id}`);
    if (res.ok) router.refresh();
    else setListError(describeError(res));
  }

  return (
    <>
      <Panel title="New silence">
        <form className={cx(ui.form, ui.panelBody)} onSubmit={create} data-testid="silence-form">
          <span className={cx(ui.small, ui.muted)}>
            Matching alerts still change state and are logged, but notify nobody and run no action
            until the silence ends. Regular expressions (=~, !~) match the whole value.
          </span>
          {matchers.map((m, i) => (
            <div key={i} className={styles.matcher}>
              <Field label={i === 0 ? 'Label' : ''}>
                <select
                  value={m.name}
                  onChange={(e) => setMatcher(i, { name: e.target.value })}
                  disabled={disabled}
                >
                  {LABELS.map((l) => (
                    <option key={l}>{l}</option>
                  ))}
                </select>
              </Field>
              <Field label={i === 0 ? 'Match' : ''}>
                <select
                  value={m.op}
                  onChange={(e) => setMatcher(i, { op: e.target.value })}
                  disabled={disabled}
                >
                  {MATCH_OPS.map((o) => (
                    <option key={o}>{o}</option>
                  ))}
                </select>
              </Field>
              <Field label={i === 0 ? 'Value' : ''}>
                <input
                  value={m.value}
                  onChange={(e) => setMatcher(i, { value: e.target.value })}
                  placeholder="Rooms drift"
                  disabled={disabled}
                />
              </Field>
              <button
                type="button"
                className={ui.button}
                onClick={() => setMatchers((ms) => ms.filter((_, j) => j !== i))}
                disabled={disabled || matchers.length === 1}
                aria-label="remove matcher"
              >
                ✕
              </button>
            </div>
          ))}
          {errors.matchers && <span className={ui.fieldError}>{errors.matchers}</span>}
          <div>
            <ActionButton
              disabled={disabled || matchers.length >= 20}
              onClick={() => setMatchers((ms) => [...ms, { name: 'model', op: '=', value: '' }])}
            >
              + Matcher
            </ActionButton>
          </div>
          <div className={ui.grid3}>
            <Field label="Expires after" error={errors.ends_at}>
              <select name="duration" defaultValue={String(4 * 3_600_000)} disabled={disabled}>
                {DURATIONS.map((d) => (
                  <option key={d.ms} value={d.ms}>
                    {d.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Comment" error={errors.comment} className={ui.wide}>
              <input
                name="comment"
                placeholder="Why (e.g. planned migration)"
                disabled={disabled}
              />
            </Field>
          </div>
          {errors.form && <Callout tone="error">{errors.form}</Callout>}
          <div className={ui.formActions}>
            <button
              type="submit"
              className={cx(ui.button, ui.primary)}
              disabled={disabled || busy}
              title={disabled ? 'needs the editor role' : ''}
            >
              {busy ? 'Creating…' : 'Create silence'}
            </button>
          </div>
        </form>
      </Panel>
      <Panel
        title={props.showAll ? 'All silences' : 'Active silences'}
        count={props.silences.length}
        testId="silences"
        actions={
          <a
            className={ui.link}
            href={props.showAll ? '/alerts?tab=silences' : '/alerts?tab=silences&all=true'}
          >
            {props.showAll ? 'Hide expired' : 'Show expired'}
          </a>
        }
      >
        {listError && (
          <div className={ui.panelBody}>
            <Callout tone="error">{listError}</Callout>
          </div>
        )}
        {props.silences.length === 0 ? (
          <div className={ui.empty}>No silences.</div>
        ) : (
          <table className={ui.table}>
            <TableHead columns={['Matchers', 'State', 'Starts', 'Ends', 'Comment', 'By']} actions />
            <tbody>
              {props.silences.map((s) => {
                const ended = Date.parse(s.ends_at) <= Date.now();
                return (
                  <tr key={s.id} data-testid="silence-row">
                    <td>
                      <span className={styles.matchers}>
                        {s.matchers.map((m, i) => (
                          <span key={i} className={styles.matcherChip}>
                            {m.name}
                            {m.op}&quot;{m.value}&quot;
                          </span>
                        ))}
                      </span>
                    </td>
                    <td>
                      {s.active ? (
                        <Badge tone="blue">active</Badge>
                      ) : ended ? (
                        <Badge>expired</Badge>
                      ) : (
                        <Badge tone="amber">scheduled</Badge>
                      )}
                    </td>
                    <td className={cx(ui.small, ui.nowrap)}>{when(s.starts_at)}</td>
                    <td className={cx(ui.small, ui.nowrap)}>{when(s.ends_at)}</td>
                    <td className={ui.small}>{s.comment || '—'}</td>
                    <td className={ui.small}>{actor(s.created_by, props.actors)}</td>
                    <td className={ui.actions}>
                      {!ended && (
                        <button
                          type="button"
                          className={cx(ui.button, ui.danger)}
                          disabled={disabled}
                          title={disabled ? 'needs the editor role' : ''}
                          onClick={() => void expire(s)}
                        >
                          Expire now
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Panel>
    </>
  );
}
