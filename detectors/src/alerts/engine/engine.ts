import { createHash } from 'node:crypto';
import type { Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { Detection } from '../../run/detect';
import type { DeliveryQueue } from '../delivery/queue';
import { parseDuration } from '../rules/duration';
import type { AlertRule } from '../rules/schema';
import { listRules } from '../rules/store';
import { listSilences, silencedBy, type AlertLabels } from '../silences/silences';
import type { AlertNotice, AlertState } from '../types';
import { builtinSources, metricFamily, type MetricSource } from './metrics';
import {
  loadStates,
  recordEvents,
  saveStates,
  type AlertEventRow,
  type InstanceKey,
} from './records';
import { step, type InstanceState } from './transition';

/** What `onAlertAction` handlers receive when a rule with an action starts firing. */
export interface AlertAction {
  action: 'rollback';
  rule: AlertRule;
  model: string;
  fingerprint: string;
  feature: string | null;
  segment: string | null;
  value: number | null;
  window: { from: string; to: string };
}
export type AlertActionHandler = (action: AlertAction) => void | Promise<void>;

/** One alert instance's change in an evaluation (answered by POST …/detect under `alerts`). */
export interface AlertTransition {
  fingerprint: string;
  rule_id: string;
  rule: string;
  model: string;
  feature: string | null;
  segment: string | null;
  value: number | null;
  from: AlertState;
  to: AlertState;
  notified: 'firing' | 'resolved' | null;
  silenced: boolean;
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

interface Candidate extends InstanceKey {
  rule: AlertRule;
  value: number | null;
  window: { from: number; to: number };
}

/**
 * Evaluates alert rules against a detection, right after it is stored: every alert instance
 * (fingerprint = rule + model + feature + segment) takes one step per window, each transition is
 * an alert_events row, notifications are queued per channel (grouped by model), and rules with an
 * action emit it to the `onAlertAction` subscribers. Evaluations are serialised.
 */
export class AlertEngine {
  private readonly sources = builtinSources();
  private readonly handlers = new Set<AlertActionHandler>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly queue: DeliveryQueue,
    private readonly logger: Logger,
    private readonly opts: { wake?: () => void; now?: () => number } = {},
  ) {}

  /** Subscribes to rule actions (the registry performs rollbacks); answers an unsubscribe. */
  onAlertAction(handler: AlertActionHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Supplies a metric family's values, e.g. "shadow" once shadow results exist. */
  registerMetricSource(family: string, source: MetricSource): void {
    this.sources.set(family, source);
  }

  evaluate(detection: Detection & { segments: Detection[] }): Promise<AlertTransition[]> {
    const run = this.chain.then(() => this.run(detection));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(detection: Detection & { segments: Detection[] }): Promise<AlertTransition[]> {
    const rules = (await listRules(this.store, { model: detection.model })).filter(
      (r) => r.enabled,
    );
    if (rules.length === 0) return [];
    const candidates: Candidate[] = [];
    for (const rule of rules) {
      const scopes = !rule.segment
        ? [detection]
        : rule.segment === '*'
          ? detection.segments
          : detection.segments.filter((s) => s.segment === rule.segment);
      for (const scope of scopes) candidates.push(...(await this.samples(rule, scope)));
    }
    const now = (this.opts.now ?? Date.now)();
    const states = await loadStates(
      this.store,
      candidates.map((c) => c.fingerprint),
    );
    const silences = await listSilences(this.store);
    const events: AlertEventRow[] = [];
    const saved: (InstanceKey & InstanceState)[] = [];
    const notices: { channel_id: string; notice: AlertNotice }[] = [];
    const actions: AlertAction[] = [];
    const transitions: AlertTransition[] = [];
    for (const c of candidates) {
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
      const prev = states.get(c.fingerprint);
      const s = step(prev, {
        window: c.window,
        value: c.value,
        breaching: c.value !== null && COMPARE[rule.op](c.value, rule.threshold),
        for: rule.for,
        repeatMs: parseDuration(rule.repeat_interval)!,
        silenced,
        now,
      });
      if (!s) continue;
      const key: InstanceKey = {
        fingerprint: c.fingerprint,
        rule_id: rule.id,
        model: c.model,
        feature: c.feature,
        segment: c.segment,
      };
      saved.push({ ...key, ...s.next });
      const from = prev?.state ?? 'inactive';
      const base = {
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
      if (s.event)
        events.push({
          ...base,
          event: s.event,
          details: { consecutive: s.next.consecutive, for: rule.for },
        });
      const notice = this.notice(c, s.next, s.notify);
      if (notice) for (const channel_id of rule.channels) notices.push({ channel_id, notice });
      if (s.fired && rule.action === 'rollback') {
        events.push({
          ...base,
          event: 'action',
          details: { action: rule.action, performed: !silenced },
        });
        if (!silenced)
          actions.push({
            action: 'rollback',
            rule,
            model: c.model,
            fingerprint: c.fingerprint,
            feature: c.feature || null,
            segment: c.segment || null,
            value: c.value,
            window: isoWindow(c.window),
          });
      }
      if (s.event || s.notify) {
        transitions.push({
          fingerprint: c.fingerprint,
          rule_id: rule.id,
          rule: rule.name,
          model: c.model,
          feature: c.feature || null,
          segment: c.segment || null,
          value: c.value,
          from,
          to: s.next.state,
          notified: s.notify?.status ?? null,
          silenced,
        });
      }
    }
    await recordEvents(this.store, events);
    // Queued before the state that says "notified" is saved: a crash in between may repeat a
    // notification (receivers dedupe on webhook-id) but never loses one.
    if (notices.length > 0) await this.queue.enqueue(notices, now);
    await saveStates(this.store, saved);
    if (notices.length > 0) this.opts.wake?.();
    for (const action of actions) await this.emit(action);
    return transitions;
  }

  private async samples(rule: AlertRule, scope: Detection): Promise<Candidate[]> {
    const source = this.sources.get(metricFamily(rule.metric));
    if (!source) return [];
    const samples = await source({ store: this.store, metric: rule.metric, detection: scope });
    const window = { from: Date.parse(scope.window.from), to: Date.parse(scope.window.to) };
    const anyFeature = rule.feature === undefined || rule.feature === '*';
    return samples
      .filter((s) => s.feature === null || anyFeature || s.feature === rule.feature)
      .map((s) => {
        const feature = s.feature ?? '';
        const segment = scope.segment ?? '';
        return {
          fingerprint: fingerprint(rule.id, scope.model, feature, segment),
          rule_id: rule.id,
          rule,
          model: scope.model,
          feature,
          segment,
          value: s.value,
          window,
        };
      });
  }

  private notice(
    c: Candidate,
    next: InstanceState,
    notify: { status: 'firing' | 'resolved'; repeat: boolean } | undefined,
  ): AlertNotice | undefined {
    if (!notify) return undefined;
    const { rule } = c;
    return {
      fingerprint: c.fingerprint,
      status: notify.status,
      rule: {
        id: rule.id,
        name: rule.name,
        metric: rule.metric,
        op: rule.op,
        threshold: rule.threshold,
        for: rule.for,
        severity: rule.severity,
        action: rule.action,
      },
      model: c.model,
      feature: c.feature || null,
      segment: c.segment || null,
      value: c.value,
      window: isoWindow(c.window),
      starts_at: next.fired_at === null ? null : new Date(next.fired_at).toISOString(),
      ends_at:
        notify.status === 'resolved' && next.resolved_at !== null
          ? new Date(next.resolved_at).toISOString()
          : null,
      repeat: notify.repeat,
    };
  }

  private async emit(action: AlertAction): Promise<void> {
    for (const handler of this.handlers) {
      try {
        await handler(action);
      } catch (err) {
        this.logger.error(
          { err, rule: action.rule.id, model: action.model },
          'alert action handler failed',
        );
      }
    }
  }
}

function isoWindow(w: { from: number; to: number }) {
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
}
