import type { Store } from '@osprey/db';
import type { KnownReference } from '../reference/known';
import type { Scope } from '../reference/resolve';
import type { ModelSettings } from '../settings/model-settings';
import { detectCbpe } from './cbpe';
import { detectDle } from './dle/detect-dle';

/**
 * The `estimated_performance` detector: a window's performance before its labels arrive — CBPE
 * for a classifier, DLE for a regression model. The model's `task` setting decides; without one,
 * the labelled reference does: CBPE first, and DLE where CBPE finds no classes to estimate. When
 * neither applies, CBPE's document says why. `known`: the scope's reference as a batched pass
 * looked it up; `wholeKnown`: its whole model's (what DLE learns from, also for a segment).
 */
export async function detectEstimatedPerformance(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
  wholeKnown: KnownReference | undefined = known,
  /** Whether the model has ever received a label, when the caller knows (DLE's joins). */
  labelled?: boolean,
): Promise<Awaited<ReturnType<typeof detectCbpe>> | Awaited<ReturnType<typeof detectDle>>> {
  if (settings.task === 'regression')
    return detectDle(store, settings, scope, wholeKnown, labelled);
  const cbpe = await detectCbpe(store, settings, scope, known);
  if (cbpe.document.reason === undefined || settings.task === 'classification') return cbpe;
  const dle = await detectDle(store, settings, scope, wholeKnown, labelled);
  return dle.document.reason === undefined ? dle : cbpe;
}
