import { shadowDisagreement, type Store } from '@osprey/db';

/**
 * The `shadow` metric family for alert rules (`shadow.disagreement`): in a detection's window,
 * the share of events on which the model's latest shadow run disagrees with production (a
 * different label; for numbers a difference above 1% of production's value). Register with
 * `alerts.engine.registerMetricSource('shadow', shadowMetricSource(store))`. Structurally the
 * detectors' MetricSource, so the registry needs no dependency on the detectors workspace.
 */
export function shadowMetricSource(store: Store) {
  return async (ctx: {
    metric: string;
    detection: { model: string; window: { from: string; to: string } };
  }): Promise<{ feature: string | null; value: number | null }[]> => {
    if (ctx.metric !== 'shadow.disagreement') return [];
    const { model, window } = ctx.detection;
    const { value } = await shadowDisagreement(store, model, {
      from: Date.parse(window.from),
      to: Date.parse(window.to),
    });
    return [{ feature: null, value }];
  };
}
