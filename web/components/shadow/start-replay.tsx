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

const FIELDS = [
  'model',
  'candidate_version',
  'from',
  'limit',
  'version',
  'sample_rate',
  'duration_minutes',
];

/** The form value when one was chosen, as `{name: value}` to spread into a body. */
function optional(name: string, form: FormData): Record<string, string> {
  const value = String(form.get(name) ?? '');
  return value ? { [name]: value } : {};
}

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
  const [mode, setMode] = useState<'replay' | 'live'>('replay');
  const [range, setRange] = useState<string>('24h');
  const { errors, busy, run } = useApiForm(FIELDS, { to: 'from' });
  const versions = props.versions[model] ?? [];
  const prod = props.production[model];
  const candidates = versions.filter((v) => v !== prod);
  const disabled = !props.canEdit;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const res = await run(() =>
      callApi(
        'POST',
        `/api/v1/models/${encodeURIComponent(model)}/shadow-runs`,
        mode === 'live' ? liveBody(form) : replayBody(form),
      ),
    );
    if (!res.ok) return;
    router.refresh();
  }

  function replayBody(form: FormData) {
    const chosen = RANGES.find((r) => r.id === range)!;
    const now = Date.now();
    const from =
      chosen.id === 'custom' ? Date.parse(String(form.get('from') ?? '')) : now - chosen.ms;
    const to = chosen.id === 'custom' ? Date.parse(String(form.get('to') ?? '')) : now;
    const limit = String(form.get('limit') ?? '').trim();
    return {
      candidate_version: String(form.get('candidate_version') ?? ''),
      // An unpicked custom time goes as it is, and the API names the field.
      from: Number.isFinite(from) ? new Date(from).toISOString() : '',
      to: Number.isFinite(to) ? new Date(to).toISOString() : '',
      ...(limit && { limit: Number(limit) }),
      ...optional('version', form),
    };
  }

  function liveBody(form: FormData) {
    const minutes = String(form.get('duration_minutes') ?? '').trim();
    return {
      mode: 'live',
      candidate_version: String(form.get('candidate_version') ?? ''),
      sample_rate: Number(form.get('sample_percent') ?? 10) / 100,
      ...(minutes && { duration_minutes: Number(minutes) }),
      ...optional('version', form),
    };
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
    <Panel title="Start a shadow run">
      <form className={cx(ui.form, ui.panelBody)} onSubmit={submit} data-testid="start-replay">
        <div className={ui.grid6}>
          <Field label="Mode">
            <select
              name="mode"
              value={mode}
              onChange={(e) => setMode(e.target.value as 'replay' | 'live')}
              disabled={disabled}
            >
              <option value="replay">Replay logged traffic</option>
              <option value="live">Mirror live traffic</option>
            </select>
          </Field>
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
          {mode === 'replay' ? (
            <>
              <Field label="Traffic" error={errors.from}>
                <select
                  value={range}
                  onChange={(e) => setRange(e.target.value)}
                  disabled={disabled}
                >
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
            </>
          ) : (
            <>
              <Field
                label="Sample (%)"
                error={errors.sample_rate}
                hint="of new events, by event id"
              >
                <input
                  name="sample_percent"
                  type="number"
                  min={0.1}
                  max={100}
                  step="any"
                  defaultValue={10}
                  disabled={disabled}
                />
              </Field>
              <Field
                label="Duration (minutes)"
                error={errors.duration_minutes}
                hint="empty: until cancelled"
              >
                <input name="duration_minutes" type="number" min={1} step={1} disabled={disabled} />
              </Field>
            </>
          )}
          <Field label="Events logged by" error={errors.version}>
            <select name="version" key={model} disabled={disabled}>
              <option value="">any version</option>
              {versions.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
        </div>
        {mode === 'replay' && range === 'custom' && (
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
            {busy ? 'Starting…' : mode === 'live' ? 'Start mirror' : 'Start replay'}
          </button>
          <span className={cx(ui.muted, ui.small)}>
            {mode === 'live'
              ? 'New events go through the candidate as they arrive; the verdict is refreshed while it runs.'
              : 'Production’s logged outputs are compared with the candidate’s on the same events.'}
          </span>
        </div>
      </form>
    </Panel>
  );
}
