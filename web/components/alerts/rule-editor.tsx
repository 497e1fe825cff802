'use client';

import { useState, type FormEvent } from 'react';
import { ActionButton, Callout, Field, Panel, cx, ui } from '@/components/actions/primitives';
import { callApi, fieldErrors, type ApiResult } from '@/lib/actions/api-client';
import { number, when } from '@/lib/actions/format';
import type { AlertRule, ChannelChoice, RulePreview } from './types';
import styles from './alerts.module.css';

const METRICS: { group: string; metrics: string[] }[] = [
  {
    group: 'Drift',
    metrics: [
      'drift.psi',
      'drift.ks_statistic',
      'drift.ks_p_value',
      'drift.wasserstein_norm',
      'drift.jensen_shannon',
      'drift.hellinger',
      'drift.chi2_statistic',
      'drift.chi2_p_value',
      'drift.l_infinity',
      'drift.z_p_value',
      'drift.verdict',
      'drift.dataset',
    ],
  },
  {
    group: 'Latency (ms)',
    metrics: ['latency.p50', 'latency.p90', 'latency.p95', 'latency.p99', 'latency.max'],
  },
  { group: 'Errors and traffic', metrics: ['error_rate', 'throughput'] },
  {
    group: 'Performance',
    metrics: [
      'accuracy',
      'precision',
      'recall',
      'f1',
      'f1_macro',
      'roc_auc',
      'log_loss',
      'mae',
      'rmse',
      'mape',
      'r2',
    ].map((m) => `performance.${m}`),
  },
  { group: 'Estimated performance (no labels)', metrics: ['estimated.mae', 'estimated.rmse'] },
  { group: 'Shadow', metrics: ['shadow.disagreement'] },
];
const OPS = ['>', '>=', '<', '<=', '==', '!='];
const FIELDS = [
  'name',
  'model',
  'metric',
  'feature',
  'segment',
  'op',
  'threshold',
  'for',
  'severity',
  'channels',
  'repeat_interval',
  'action',
  'description',
];

interface Draft {
  name: string;
  model: string;
  metric: string;
  feature: string;
  segment: string;
  op: string;
  threshold: string;
  for: string;
  severity: string;
  channels: string[];
  repeat_interval: string;
  action: string;
  enabled: boolean;
  description: string;
}

function draftOf(rule: AlertRule | undefined, model: string | undefined): Draft {
  return {
    name: rule?.name ?? '',
    model: rule?.model ?? model ?? '*',
    metric: rule?.metric ?? 'drift.psi',
    feature: rule?.feature ?? '',
    segment: rule?.segment ?? '',
    op: rule?.op ?? '>',
    threshold: rule ? String(rule.threshold) : '0.2',
    for: rule ? String(rule.for) : '1',
    severity: rule?.severity ?? 'warning',
    channels: rule?.channels ?? [],
    repeat_interval: rule?.repeat_interval ?? '4h',
    action: rule?.action ?? 'none',
    enabled: rule?.enabled ?? true,
    description: rule?.description ?? '',
  };
}

/** The body POST /api/v1/alert-rules takes; numbers stay as typed when they do not parse, so the API names them. */
function bodyOf(d: Draft): Record<string, unknown> {
  const num = (s: string) =>
    s.trim() === '' ? undefined : Number.isFinite(Number(s)) ? Number(s) : s;
  return {
    name: d.name,
    model: d.model,
    metric: d.metric,
    ...(d.feature.trim() && { feature: d.feature.trim() }),
    ...(d.segment.trim() && { segment: d.segment.trim() }),
    op: d.op,
    threshold: num(d.threshold),
    for: num(d.for),
    severity: d.severity,
    channels: d.channels,
    repeat_interval: d.repeat_interval,
    action: d.action,
    enabled: d.enabled,
    ...(d.description.trim() && { description: d.description.trim() }),
  };
}

/**
 * Creates or edits an alert rule. The API validates (its 400 names the field, shown next to that
 * field); "Preview" replays the rule over the last 7 days of stored detections without saving.
 */
export function RuleEditor(props: {
  rule?: AlertRule;
  models: string[];
  channels: ChannelChoice[];
  defaultModel?: string;
  onDone: (saved: boolean) => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(props.rule, props.defaultModel));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const showError = (res: ApiResult<unknown>) => setErrors(fieldErrors(res, FIELDS));
  const [preview, setPreview] = useState<RulePreview>();
  const [busy, setBusy] = useState<'save' | 'preview'>();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setD((prev) => ({ ...prev, [k]: v }));
    setPreview(undefined);
  };

  async function runPreview() {
    setBusy('preview');
    setErrors({});
    const res = await callApi<RulePreview>('POST', '/api/v1/alert-rules/preview', bodyOf(d));
    setBusy(undefined);
    if (res.ok) setPreview(res.data);
    else showError(res);
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy('save');
    setErrors({});
    const res = props.rule
      ? await callApi('PUT', `/api/v1/alert-rules/${props.rule.id}`, bodyOf(d))
      : await callApi('POST', '/api/v1/alert-rules', bodyOf(d));
    setBusy(undefined);
    if (res.ok) props.onDone(true);
    else showError(res);
  }

  const metrics = METRICS.some((g) => g.metrics.includes(d.metric))
    ? METRICS
    : [...METRICS, { group: 'Current', metrics: [d.metric] }];
  const driftFeature = d.metric.startsWith('drift.') && d.metric !== 'drift.dataset';
  return (
    <Panel
      title={props.rule ? `Edit rule “${props.rule.name}”` : 'New alert rule'}
      testId="rule-editor"
    >
      <form className={cx(ui.form, ui.panelBody)} onSubmit={save} noValidate>
        <div className={ui.grid3}>
          <Field label="Name" error={errors.name} hint="Also the alertname label silences match">
            <input name="name" value={d.name} onChange={(e) => set('name', e.target.value)} />
          </Field>
          <Field label="Model" error={errors.model}>
            <select name="model" value={d.model} onChange={(e) => set('model', e.target.value)}>
              <option value="*">* every model</option>
              {[...new Set([...props.models, d.model])]
                .filter((m) => m !== '*')
                .map((m) => (
                  <option key={m}>{m}</option>
                ))}
            </select>
          </Field>
          <Field label="Severity" error={errors.severity}>
            <select
              name="severity"
              value={d.severity}
              onChange={(e) => set('severity', e.target.value)}
            >
              <option>info</option>
              <option>warning</option>
              <option>critical</option>
            </select>
          </Field>
        </div>
        <div className={styles.condition}>
          <Field label="Metric" error={errors.metric}>
            <select name="metric" value={d.metric} onChange={(e) => set('metric', e.target.value)}>
              {metrics.map((g) => (
                <optgroup key={g.group} label={g.group}>
                  {g.metrics.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </optgroup>
              ))}
            </select>
          </Field>
          <Field label="Operator" error={errors.op}>
            <select name="op" value={d.op} onChange={(e) => set('op', e.target.value)}>
              {OPS.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          </Field>
          <Field label="Threshold" error={errors.threshold}>
            <input
              name="threshold"
              inputMode="decimal"
              value={d.threshold}
              onChange={(e) => set('threshold', e.target.value)}
            />
          </Field>
          <Field label="For (windows)" error={errors.for} hint="consecutive breaches">
            <input
              name="for"
              inputMode="numeric"
              value={d.for}
              onChange={(e) => set('for', e.target.value)}
            />
          </Field>
        </div>
        <div className={ui.grid3}>
          <Field
            label="Feature"
            error={errors.feature}
            hint={
              driftFeature
                ? 'empty or *: each feature; "prediction" for the output'
                : 'drift metrics only'
            }
          >
            <input
              name="feature"
              value={d.feature}
              placeholder="*"
              disabled={!driftFeature}
              onChange={(e) => set('feature', e.target.value)}
            />
          </Field>
          <Field
            label="Segment"
            error={errors.segment}
            hint="empty: whole model; region=eu; * each"
          >
            <input
              name="segment"
              value={d.segment}
              onChange={(e) => set('segment', e.target.value)}
            />
          </Field>
          <Field
            label="Repeat every"
            error={errors.repeat_interval}
            hint="while firing: 30m, 4h, 1d"
          >
            <input
              name="repeat_interval"
              value={d.repeat_interval}
              onChange={(e) => set('repeat_interval', e.target.value)}
            />
          </Field>
        </div>
        <div className={ui.grid3}>
          <Field label="Notify" error={errors.channels}>
            {props.channels.length === 0 ? (
              <span className={ui.hint}>No channels yet (an admin adds them in Settings).</span>
            ) : (
              <span className={ui.checks}>
                {props.channels.map((c) => (
                  <label key={c.id}>
                    <input
                      type="checkbox"
                      checked={d.channels.includes(c.id)}
                      onChange={(e) =>
                        set(
                          'channels',
                          e.target.checked
                            ? [...d.channels, c.id]
                            : d.channels.filter((x) => x !== c.id),
                        )
                      }
                    />
                    {c.name} <span className={ui.muted}>({c.kind})</span>
                  </label>
                ))}
              </span>
            )}
          </Field>
          <Field label="Action on firing" error={errors.action}>
            <select name="action" value={d.action} onChange={(e) => set('action', e.target.value)}>
              <option value="none">none</option>
              <option value="rollback">roll the model back</option>
            </select>
          </Field>
          <Field label="State">
            <span className={ui.checks}>
              <label>
                <input
                  type="checkbox"
                  name="enabled"
                  checked={d.enabled}
                  onChange={(e) => set('enabled', e.target.checked)}
                />
                enabled
              </label>
            </span>
          </Field>
        </div>
        <Field label="Description" error={errors.description}>
          <input
            name="description"
            value={d.description}
            onChange={(e) => set('description', e.target.value)}
            placeholder="What to do when it fires (runbook link)"
          />
        </Field>
        {preview && <PreviewResult preview={preview} />}
        {errors.form && <Callout tone="error">{errors.form}</Callout>}
        <div className={ui.formActions}>
          <button type="submit" className={cx(ui.button, ui.primary)} disabled={busy !== undefined}>
            {busy === 'save' ? 'Saving…' : props.rule ? 'Save changes' : 'Create rule'}
          </button>
          <ActionButton
            disabled={busy !== undefined}
            onClick={() => void runPreview()}
            testId="preview-rule"
          >
            {busy === 'preview' ? 'Replaying…' : 'Preview'}
          </ActionButton>
          <button type="button" className={ui.button} onClick={() => props.onDone(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Panel>
  );
}

function PreviewResult({ preview }: { preview: RulePreview }) {
  const days = Math.round((Date.parse(preview.to) - Date.parse(preview.from)) / 86_400_000);
  return (
    <Callout tone={preview.fired > 0 ? 'warning' : 'info'} testId="rule-preview">
      <strong>
        Would have fired {preview.fired} {preview.fired === 1 ? 'time' : 'times'} in the last {days}{' '}
        days
      </strong>{' '}
      <span className={ui.small}>({number(preview.windows)} detected windows replayed)</span>
      {preview.firings.length > 0 && (
        <ul className={styles.firings}>
          {preview.firings
            .slice(-5)
            .reverse()
            .map((f, i) => (
              <li key={i}>
                {when(f.window.from)} · {f.model}
                {f.feature && ` · ${f.feature}`}
                {f.segment && ` · ${f.segment}`} · value {number(f.value)}
              </li>
            ))}
        </ul>
      )}
    </Callout>
  );
}
