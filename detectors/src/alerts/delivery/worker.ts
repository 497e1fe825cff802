import type { Store } from '@osprey/db';
import type { Logger } from 'pino';
import type { ChannelSender } from '../channels/send';
import { disableChannel, getChannel } from '../channels/store';
import type { Outcome } from '../channels/outcome';
import type { Channel } from '../channels/schema';
import { NotFoundError } from '../errors';
import type { Delivery } from '../types';
import { retryDelay } from './backoff';
import { recordAttempt } from './notifications';
import type { DeliveryQueue } from './queue';

export interface WorkerOptions {
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
}

/**
 * Sends due deliveries: grouped alerts once their group_wait is over, retries once their backoff
 * (or the receiver's Retry-After) has passed. State lives in the deliveries table, so a new worker
 * over the same store picks up whatever an earlier one left pending. Every attempt is logged in
 * `notifications`.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly coolingDown = new Map<string, number>();
  private owns: (model: string) => boolean = () => true;

  constructor(
    private readonly store: Store,
    private readonly queue: DeliveryQueue,
    private readonly sender: ChannelSender,
    private readonly logger: Logger,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Replicas: send only the deliveries of the models this replica owns (its share of the
   * detectors' work topic), so that one notification is not sent by every replica.
   */
  onlyModels(owns: (model: string) => boolean): void {
    this.owns = owns;
  }

  /** Looks for due deliveries now (after the engine queued some). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.inFlight.values());
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((err: unknown) => {
          this.logger.error({ err }, 'delivery pass failed');
          return this.opts.pollMs;
        })
        .then((sleep) => {
          this.running = undefined;
          if (this.stopped) return;
          const next = this.again ? 0 : sleep;
          this.again = false;
          this.schedule(next);
        });
    }, ms);
  }

  /** Starts the due deliveries and answers how long to sleep before the next pass. */
  private async pass(): Promise<number> {
    const now = Date.now();
    for (const [id, until] of this.coolingDown) if (until <= now) this.coolingDown.delete(id);
    const busy = new Set([...this.inFlight.keys(), ...this.coolingDown.keys()]);
    for (const d of await this.queue.claimDue(now, busy, this.owns)) {
      const run = this.attempt(d)
        .catch((err: unknown) => {
          // Storing the attempt failed (the store is down?): the delivery stays due; later.
          this.coolingDown.set(d.id, Date.now() + this.opts.pollMs * 10);
          this.logger.error({ err, delivery: d.id }, 'delivery attempt failed');
        })
        .finally(() => {
          this.inFlight.delete(d.id);
          this.wake();
        });
      this.inFlight.set(d.id, run);
    }
    const next = await this.queue.nextDue();
    const until = next === undefined ? this.opts.pollMs : next - Date.now();
    return Math.max(10, Math.min(this.opts.pollMs, until));
  }

  /** One attempt of a delivery; the delivery's new state and the attempt's log row are stored. */
  async attempt(d: Delivery): Promise<void> {
    const channel = await getChannel(this.store, d.channel_id).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    const started = Date.now();
    const outcome: Outcome = !channel
      ? { ok: false, error: 'the channel was deleted', permanent: true }
      : channel.disabled_reason
        ? { ok: false, error: `channel disabled: ${channel.disabled_reason}`, permanent: true }
        : await this.sender.send(channel, d);
    const attempt = d.attempts + 1;
    const finished = Date.now();
    let status: Delivery['status'];
    let nextAt: number | null = null;
    if (outcome.ok) status = 'delivered';
    else if (outcome.disable || outcome.permanent || attempt >= this.opts.maxAttempts)
      status = 'failed';
    else {
      status = 'retrying';
      nextAt =
        finished +
        Math.round(
          retryDelay(attempt, {
            baseMs: this.opts.retryBaseMs,
            maxMs: this.opts.retryMaxMs,
            retryAfterMs: outcome.retryAfterMs,
          }),
        );
    }
    if (outcome.disable && channel)
      await disableChannel(this.store, channel.id, outcome.error ?? 'HTTP 410');
    await recordAttempt(this.store, {
      delivery_id: d.id,
      channel: channelInfo(channel, d),
      model: d.model,
      fingerprints: d.alerts.map((a) => a.fingerprint),
      kind: d.event
        ? d.event.type
        : d.alerts.some((a) => a.status === 'firing')
          ? 'firing'
          : 'resolved',
      attempt,
      status: status === 'delivered' ? 'delivered' : status === 'failed' ? 'failed' : 'retrying',
      outcome,
      duration_ms: finished - started,
      next_attempt_at: nextAt,
    });
    await this.queue.save({
      ...d,
      status,
      attempts: attempt,
      due_at: nextAt ?? d.due_at,
      last_error: outcome.ok ? '' : (outcome.error ?? ''),
    });
    const log = { delivery: d.id, channel: d.channel_id, attempt, status, code: outcome.code };
    if (outcome.ok) this.logger.info(log, 'notification delivered');
    else this.logger.warn({ ...log, error: outcome.error }, 'notification attempt failed');
  }
}

function channelInfo(channel: Channel | undefined, d: Delivery) {
  return channel
    ? { id: channel.id, name: channel.name, kind: channel.kind }
    : { id: d.channel_id, name: '', kind: '' };
}
