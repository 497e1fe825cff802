import { randomUUID } from 'node:crypto';
import { Tables, type Store } from '@osprey/db';
import type { AlertNotice, Delivery, DeliveryEvent } from '../types';
import { nextVersion } from '../version';

/** Deliveries not yet delivered or given up. */
const OPEN = ['grouping', 'pending', 'retrying'];

interface Row {
  id: string;
  channel_id: string;
  group_key: string;
  model: string;
  status: Delivery['status'];
  attempts: number;
  due_at: string;
  alerts: string;
  event: string;
  last_error: string;
  created_at: string;
}

const SELECT = `SELECT toString(id) AS id, toString(channel_id) AS channel_id, group_key, model, status,
  attempts, toUnixTimestamp64Milli(due_at) AS due_at, alerts, event, last_error,
  toUnixTimestamp64Milli(created_at) AS created_at FROM ${Tables.deliveries} FINAL`;

const toDelivery = (r: Row): Delivery => ({
  ...r,
  attempts: Number(r.attempts),
  due_at: Number(r.due_at),
  created_at: Number(r.created_at),
  alerts: JSON.parse(r.alerts) as AlertNotice[],
  event: r.event ? (JSON.parse(r.event) as DeliveryEvent) : null,
});

/**
 * The persisted delivery queue. Alerts of one model for one channel that arrive within group_wait
 * join one delivery (status "grouping" until it is due). The engine's appends and the worker's
 * claims take one in-process lock, so a group is never extended after it was claimed.
 */
export class DeliveryQueue {
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly groupWaitMs: number,
  ) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  async save(d: Delivery): Promise<void> {
    await this.store.insert(Tables.deliveries, [
      {
        ...d,
        alerts: JSON.stringify(d.alerts),
        event: d.event ? JSON.stringify(d.event) : '',
        version: nextVersion(),
      },
    ]);
  }

  /** Adds notices to their channel's and model's open group, or opens one due after group_wait. */
  enqueue(
    items: readonly { channel_id: string; notice: AlertNotice }[],
    now = Date.now(),
  ): Promise<void> {
    return this.exclusive(async () => {
      const groups = new Map<
        string,
        { channel_id: string; model: string; notices: AlertNotice[] }
      >();
      for (const { channel_id, notice } of items) {
        const key = `${channel_id}/${notice.model}`;
        const g = groups.get(key) ?? { channel_id, model: notice.model, notices: [] };
        g.notices.push(notice);
        groups.set(key, g);
      }
      for (const [key, g] of groups) {
        const [open] = await this.store.query<Row>(
          `${SELECT} WHERE group_key = {key:String} AND status = 'grouping' ORDER BY created_at DESC LIMIT 1`,
          { key },
        );
        const base: Delivery = open
          ? toDelivery(open)
          : {
              id: randomUUID(),
              channel_id: g.channel_id,
              group_key: key,
              model: g.model,
              status: 'grouping',
              attempts: 0,
              due_at: now + this.groupWaitMs,
              alerts: [],
              event: null,
              last_error: '',
              created_at: now,
            };
        // A newer notice of the same alert (e.g. resolved after firing) replaces the older one.
        const fresh = new Set(g.notices.map((n) => n.fingerprint));
        base.alerts = [...base.alerts.filter((a) => !fresh.has(a.fingerprint)), ...g.notices];
        await this.save(base);
      }
    });
  }

  /** One delivery of `event` per channel, due now (events are not grouped). */
  async enqueueEvent(channelIds: readonly string[], event: DeliveryEvent, now = Date.now()) {
    for (const channel_id of channelIds) {
      const id = randomUUID();
      await this.save({
        id,
        channel_id,
        group_key: `${event.type}/${id}`,
        model: event.data.model,
        status: 'pending',
        attempts: 0,
        due_at: now,
        alerts: [],
        event,
        last_error: '',
        created_at: now,
      });
    }
  }

  /** Due deliveries, grouping ones switched to pending, excluding those already in flight. */
  claimDue(
    now: number,
    inFlight: ReadonlySet<string>,
    owns: (model: string) => boolean = () => true,
  ): Promise<Delivery[]> {
    return this.exclusive(async () => {
      const rows = await this.store.query<Row>(
        `${SELECT} WHERE status IN {open:Array(String)} AND due_at <= {now:Int64}
         ORDER BY due_at LIMIT 100`,
        { open: OPEN, now },
      );
      const due = rows.map(toDelivery).filter((d) => !inFlight.has(d.id) && owns(d.model));
      for (const d of due.filter((x) => x.status === 'grouping')) {
        d.status = 'pending';
        await this.save(d);
      }
      return due;
    });
  }

  /** The next due time of an open delivery, to sleep until then. */
  async nextDue(): Promise<number | undefined> {
    const [r] = await this.store.query<{ t: string | null }>(
      `SELECT min(due_at) AS t FROM (${SELECT} WHERE status IN {open:Array(String)}) HAVING count() > 0`,
      { open: OPEN },
    );
    return r?.t ? Number(r.t) : undefined;
  }

  async list(opts: { status?: string; limit?: number } = {}): Promise<Delivery[]> {
    const rows = await this.store.query<Row>(
      `${SELECT} ${opts.status ? 'WHERE status = {status:String}' : ''} ORDER BY created_at DESC LIMIT {limit:UInt32}`,
      { status: opts.status ?? '', limit: opts.limit ?? 100 },
    );
    return rows.map(toDelivery);
  }
}
