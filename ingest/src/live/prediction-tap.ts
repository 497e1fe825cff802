import type { Logger } from 'pino';
import type { PredictionEvent } from '../contract/prediction';
import type { Normalized } from '../events/event-kinds';
import { fromEvent, type LiveFeed, type LivePrediction } from './live-prediction';

type Listener = (events: readonly LivePrediction[]) => void;

/**
 * The embedded collector's tap: the predictions of every batch it has stored, handed to
 * in-process listeners (a live shadow mirror) right after the insert, before the answer to the
 * SDK. With nobody listening it costs one size check. A listener that throws is logged and
 * never fails the collector's request.
 */
export class PredictionTap implements LiveFeed {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly logger?: Logger) {}

  subscribe(listener: Listener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return Promise.resolve(async () => void this.listeners.delete(listener));
  }

  publish(events: readonly Normalized<PredictionEvent>[]): void {
    if (this.listeners.size === 0 || events.length === 0) return;
    const live = events.map((e) =>
      fromEvent(e as Normalized<PredictionEvent> & { event_id: string }),
    );
    for (const listener of this.listeners) {
      try {
        listener(live);
      } catch (err) {
        this.logger?.error({ err }, 'a prediction tap listener failed');
      }
    }
  }
}
