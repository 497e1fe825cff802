'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Callout, Field, Panel, cx, ui } from '@/components/actions/primitives';
import { useApiForm } from '@/components/actions/use-api-form';
import { callApi } from '@/lib/actions/api-client';

const RANGES = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: 'custom', label: 'Custom…', ms: 0 },
] as const;

const FIELDS = ['model', 'candidate_version', 'from', 'limit', 'version'];

/**
 * Queues a replay of logged traffic through a candidate version (POST …/shadow-runs). The API
 * checks the candidate, its features and the range before anything runs; a refusal is shown next
 * to the field it names.
 */
export function StartReplay(props: {
  versions: Record<string, string[]>;
  production: Record<string, string | undefined>;
  defaultModel: string | undefined;
  canEdit: boolean;
}) {
  const router = useRouter();
  const models = Object.keys(props.versions);
  const [model, setModel] = useState(props.defaultModel ?? models[0] ?? '');
  const [range, setRange] = useState<string>('24h');
  const { errors, setErrors, busy, run } = useApiForm(FIELDS, { to: 'from' });
  const versions = props.versions[model] ?? [];
  const prod = props.production[model];
  const candidates = versions.filter((v) => v !== prod);
  const disabled = !props.canEdit;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosen = RANGES.find((r) => r.id === range)!;
    let from: string;
    let to: string;
    if (chosen.id === 'custom') {
      const f = Date.parse(String(form.get('from') ?? ''));
      const t = Date.parse(String(form.get('to') ?? ''));
      if (!Number.isFinite(f) || !Number.isFinite(t)) {
        setErrors({ from: 'from and to: pick both times' });
        return;
      }
      from = new Date(f).toISOString();
      to = new Date(t).toISOString();
    } else {
      const now = Date.now();
      from = new Date(now - chosen.ms).toISOString();
      to = new Date(now).toISOString();
    }
    const limit = String(form.get('limit') ?? '').trim();
    const onlyVersion = String(form.get('version') ?? '');
    const body = {
      candidate_version: String(form.get('candidate_version') ?? ''),
      from,
      to,
      ...(limit && { limit: Number(limit) }),
      ...(onlyVersion && { version: onlyVersion }),
    };
    const res = await run(() =>
      callApi('POST', `/api/v1/models/${encodeURIComponent(model)}/shadow-runs`, body),
    );
    if (!res.ok) return;
    router.refresh();
  }

  if (models.length === 0) {
    return (
      <Panel title="Start a replay">
        <div className={ui.empty}>
          Register a candidate version on the Versions page first; a replay runs logged traffic
          through it.
        </div>
      </Panel>
    );
  }
  return (
    <Panel title="Start a replay">
      <form className={cx(ui.form, ui.panelBody)} onSubmit={submit} data-testid="start-replay">
        <div className={ui.grid5}>
          <Field label="Model" error={errors.model}>
            <select
              name="model"
              value={model}
              onChange={(e) => setModel(e.target.value)}
              disabled={disabled}
            >
              {models.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </Field>
          <Field
            label="Candidate version"
            error={errors.candidate_version}
            hint={prod ? `production is ${prod}` : 'no production version yet'}
          >
            <select name="candidate_version" key={model} disabled={disabled}>
              {(candidates.length ? candidates : versions).map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
          <Field label="Traffic" error={errors.from}>
            <select value={range} onChange={(e) => setRange(e.target.value)} disabled={disabled}>
              {RANGES.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Limit (events)" error={errors.limit} hint="oldest first; empty: all">
            <input name="limit" type="number" min={1} step={1} disabled={disabled} />
          </Field>
          <Field label="Replay events logged by" error={errors.version}>
            <select name="version" key={model} disabled={disabled}>
              <option value="">any version</option>
              {versions.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
        </div>
        {range === 'custom' && (
          <div className={ui.grid4}>
            <Field label="From (your time zone)">
              <input name="from" type="datetime-local" required />
            </Field>
            <Field label="To">
              <input name="to" type="datetime-local" required />
            </Field>
          </div>
        )}
        {errors.form && <Callout tone="error">{errors.form}</Callout>}
        <div className={ui.formActions}>
          <button
            type="submit"
            className={cx(ui.button, ui.primary)}
            disabled={disabled || busy || versions.length === 0}
            title={disabled ? 'needs the editor role' : ''}
          >
            {busy ? 'Starting…' : 'Start replay'}
          </button>
          <span className={cx(ui.muted, ui.small)}>
            Production&apos;s logged outputs are compared with the candidate&apos;s on the same
            events.
          </span>
        </div>
      </form>
    </Panel>
  );
}
