import type { Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { Detection } from '../../run/detect';
import type { DeliveryQueue } from '../delivery/queue';
import type { RuleSpec } from '../rules/schema';
import { listRules } from '../rules/store';
import { listSilences } from '../silences/silences';
import {
  candidates,
  evaluateCandidate,
  type AlertAction,
  type AlertTransition,
  type Candidate,
  type Evaluation,
} from './instance';
import { builtinSources, metricFamily, type MetricSource } from './metrics';
import { previewRule, type RulePreview } from './preview';
import { loadStates, recordEvents, saveStates } from './records';

export { fingerprint, type AlertAction, type AlertTransition } from './instance';
export type AlertActionHandler = (action: AlertAction) => void | Promise<void>;

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

  /** How often `rule` would have fired over the stored detections of `range`; writes nothing. */
  preview(rule: RuleSpec, range: { from: number; to: number }): Promise<RulePreview> {
    return previewRule(this.store, this.sources, rule, range);
  }

  evaluate(
    detection: Detection & { segments: Detection[] },
    opts: { segmentsOnly?: boolean } = {},
  ): Promise<AlertTransition[]> {
    const run = this.chain.then(() => this.run(detection, opts.segmentsOnly ?? false));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(
    detection: Detection & { segments: Detection[] },
    segmentsOnly: boolean,
  ): Promise<AlertTransition[]> {
    const found = await this.candidates(detection, segmentsOnly);
    if (found.length === 0) return [];
    const now = (this.opts.now ?? Date.now)();
    const states = await loadStates(
      this.store,
      found.map((c) => c.fingerprint),
    );
    const silences = await listSilences(this.store);
    const out: Evaluation = { events: [], states: [], notices: [], actions: [], transitions: [] };
    for (const c of found) evaluateCandidate(c, states.get(c.fingerprint), silences, now, out);
    await recordEvents(this.store, out.events);
    // Queued before the state that says "notified" is saved: a crash in between may repeat a
    // notification (receivers dedupe on webhook-id) but never loses one.
    if (out.notices.length > 0) await this.queue.enqueue(out.notices, now);
    await saveStates(this.store, out.states);
    if (out.notices.length > 0) this.opts.wake?.();
    for (const action of out.actions) await this.emit(action);
    return out.transitions;
  }

  /** Every enabled rule of the model on its scopes: the whole model, one segment, or each. */
  private async candidates(
    detection: Detection & { segments: Detection[] },
    segmentsOnly: boolean,
  ): Promise<Candidate[]> {
    const rules = await listRules(this.store, { model: detection.model });
    const found: Candidate[] = [];
    for (const rule of rules.filter((r) => r.enabled && (r.segment || !segmentsOnly))) {
      const source = this.sources.get(metricFamily(rule.metric));
      if (!source) continue;
      const scopes = !rule.segment
        ? [detection]
        : rule.segment === '*'
          ? detection.segments
          : detection.segments.filter((s) => s.segment === rule.segment);
      for (const scope of scopes) {
        const samples = await source({ store: this.store, metric: rule.metric, detection: scope });
        found.push(...candidates(rule, scope, samples));
      }
    }
    return found;
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
