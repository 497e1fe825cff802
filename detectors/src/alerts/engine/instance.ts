import { createHash } from 'node:crypto';
import type { Detection } from '../../run/detect';
import { isoWindow } from '../../window';
import { parseDuration } from '../rules/duration';
import type { AlertRule } from '../rules/schema';
import { silencedBy, type AlertLabels, type Silence } from '../silences/silences';
import type { AlertNotice, AlertState } from '../types';
import type { MetricSample } from './metrics';
import type { AlertEventRow, InstanceKey } from './records';
import { step, type InstanceState } from './transition';

/** One alert instance's value in one window. */
export interface Candidate extends InstanceKey {
  rule: AlertRule;
  value: number | null;
  window: { from: number; to: number };
}

/** What an alert instance looks like from outside: nulls rather than '' for "none". */
export interface AlertScope {
  fingerprint: string;
  model: string;
  feature: string | null;
  segment: string | null;
  value: number | null;
  window: { from: string; to: string };
}

/** What `onAlertAction` handlers receive when a rule with an action starts firing. */
export interface AlertAction extends AlertScope {
  action: 'rollback';
  rule: AlertRule;
}

/** One alert instance's change in an evaluation (answered by POST …/detect under `alerts`). */
export interface AlertTransition extends Omit<AlertScope, 'window'> {
  rule_id: string;
  rule: string;
  from: AlertState;
  to: AlertState;
  notified: 'firing' | 'resolved' | null;
  silenced: boolean;
}

/** What evaluating the candidates of one detection produces, stored and sent by the engine. */
export interface Evaluation {
  events: AlertEventRow[];
  states: (InstanceKey & InstanceState)[];
  notices: { channel_id: string; notice: AlertNotice }[];
  actions: AlertAction[];
  transitions: AlertTransition[];
}

export function fingerprint(
  ruleId: string,
  model: string,
  feature: string,
  segment: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify([ruleId, model, feature, segment]))
    .digest('hex')
    .slice(0, 32);
}

const COMPARE: Record<AlertRule['op'], (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

/** Whether a value breaches the rule's threshold; a window with nothing to measure never does. */
export function breaches(rule: Pick<AlertRule, 'op' | 'threshold'>, value: number | null): boolean {
  return value !== null && COMPARE[rule.op](value, rule.threshold);
}

/** The candidates of one rule's samples in one scope (the whole model or a segment). */
export function candidates(
  rule: AlertRule,
  scope: Detection,
  samples: MetricSample[],
): Candidate[] {
  const window = { from: Date.parse(scope.window.from), to: Date.parse(scope.window.to) };
  const anyFeature = rule.feature === undefined || rule.feature === '*';
  const segment = scope.segment ?? '';
  return samples
    .filter((s) => s.feature === null || anyFeature || s.feature === rule.feature)
    .map((s) => ({
      fingerprint: fingerprint(rule.id, scope.model, s.feature ?? '', segment),
      rule_id: rule.id,
      rule,
      model: scope.model,
      feature: s.feature ?? '',
      segment,
      value: s.value,
      window,
    }));
}

export function scopeOf(c: Candidate): AlertScope {
  return {
    fingerprint: c.fingerprint,
    model: c.model,
    feature: c.feature || null,
    segment: c.segment || null,
    value: c.value,
    window: isoWindow(c.window),
  };
}

/** Takes one candidate one step and adds what follows to `out`. */
export function evaluateCandidate(
  c: Candidate,
  prev: InstanceState | undefined,
  silences: readonly Silence[],
  now: number,
  out: Evaluation,
): void {
  const { rule } = c;
  const labels: AlertLabels = {
    alertname: rule.name,
    rule_id: rule.id,
    model: c.model,
    metric: rule.metric,
    feature: c.feature,
    segment: c.segment,
    severity: rule.severity,
  };
  const silenced = silencedBy(silences, labels) !== undefined;
  const s = step(prev, {
    window: c.window,
    value: c.value,
    breaching: breaches(rule, c.value),
    for: rule.for,
    repeatMs: parseDuration(rule.repeat_interval)!,
    silenced,
    now,
  });
  if (!s) return;
  const { rule: _r, value: _v, window: _w, ...key } = c;
  out.states.push({ ...key, ...s.next });
  const from = prev?.state ?? 'inactive';
  const event = {
    ...key,
    rule_name: rule.name,
    metric: rule.metric,
    severity: rule.severity,
    from_state: from,
    value: c.value,
    op: rule.op,
    threshold: rule.threshold,
    window_start: c.window.from,
    window_end: c.window.to,
    silenced,
  };
  if (s.event) {
    out.events.push({
      ...event,
      event: s.event,
      details: { consecutive: s.next.consecutive, for: rule.for },
    });
  }
  if (s.notify) {
    const notice = noticeOf(c, s.next, s.notify);
    for (const channel_id of rule.channels) out.notices.push({ channel_id, notice });
  }
  if (s.fired && rule.action === 'rollback') {
    out.events.push({
      ...event,
      event: 'action',
      details: { action: rule.action, performed: !silenced },
    });
    if (!silenced) out.actions.push({ ...scopeOf(c), action: 'rollback', rule });
  }
  if (s.event || s.notify) {
    const { window: _win, ...scope } = scopeOf(c);
    out.transitions.push({
      ...scope,
      rule_id: rule.id,
      rule: rule.name,
      from,
      to: s.next.state,
      notified: s.notify?.status ?? null,
      silenced,
    });
  }
}

function noticeOf(
  c: Candidate,
  next: InstanceState,
  notify: { status: 'firing' | 'resolved'; repeat: boolean },
): AlertNotice {
  const { id, name, metric, op, threshold, severity, action } = c.rule;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...scopeOf(c),
    status: notify.status,
    rule: { id, name, metric, op, threshold, for: c.rule.for, severity, action },
    starts_at: iso(next.fired_at),
    ends_at: notify.status === 'resolved' ? iso(next.resolved_at) : null,
    repeat: notify.repeat,
  };
}
