import { randomUUID } from 'node:crypto';
import { Tables, type Store } from '@osprey/db';
import { z } from 'zod';
import { FieldError, NotFoundError } from '../errors';
import { nextVersion } from '../version';

/** Labels a matcher can look at; `alertname` is the rule's name (as in Alertmanager). */
export const LABELS = [
  'alertname',
  'rule_id',
  'model',
  'metric',
  'feature',
  'segment',
  'severity',
] as const;
export type AlertLabels = Record<(typeof LABELS)[number], string>;

const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 time such as 2026-01-31T12:00:00Z',
});

export const matcher = z.strictObject({
  name: z.enum(LABELS, { error: `must be one of ${LABELS.join(', ')}` }),
  /** "=" equal, "!=" not equal, "=~" / "!~" whole-value regular expression (Alertmanager's). */
  op: z.enum(['=', '!=', '=~', '!~'], { error: 'must be =, !=, =~ or !~' }).default('='),
  value: z.string({ error: 'required, a string' }).max(1_000),
});
export type Matcher = z.infer<typeof matcher>;

export const silenceInput = z
  .strictObject({
    matchers: z
      .array(matcher, { error: 'required, a list of {name, op, value}' })
      .min(1, 'needs at least one matcher')
      .max(20),
    starts_at: isoTime.optional(),
    ends_at: isoTime,
    comment: z.string().max(2_000).default(''),
  })
  .refine((s) => Date.parse(s.ends_at) > Date.parse(s.starts_at ?? new Date().toISOString()), {
    path: ['ends_at'],
    message: 'must be after starts_at (and in the future)',
  });
export type SilenceInput = z.infer<typeof silenceInput>;

export interface Silence {
  id: string;
  matchers: Matcher[];
  starts_at: string;
  ends_at: string;
  comment: string;
  created_by: string;
  active: boolean;
}

interface Row {
  id: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  comment: string;
  created_by: string;
}

const SELECT = `SELECT toString(id) AS id, matchers, toUnixTimestamp64Milli(starts_at) AS starts_at,
  toUnixTimestamp64Milli(ends_at) AS ends_at, comment, created_by FROM ${Tables.silences} FINAL`;

function toSilence(r: Row, now: number): Silence {
  const starts = Number(r.starts_at);
  const ends = Number(r.ends_at);
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers) as Matcher[],
    starts_at: new Date(starts).toISOString(),
    ends_at: new Date(ends).toISOString(),
    comment: r.comment,
    created_by: r.created_by,
    active: starts <= now && now < ends,
  };
}

async function write(store: Store, s: Omit<Silence, 'active'>): Promise<void> {
  await store.insert(Tables.silences, [
    {
      ...s,
      matchers: JSON.stringify(s.matchers),
      starts_at: Date.parse(s.starts_at),
      ends_at: Date.parse(s.ends_at),
      version: nextVersion(),
    },
  ]);
}

export async function createSilence(
  store: Store,
  input: SilenceInput,
  actor: string,
): Promise<Silence> {
  for (const [i, m] of input.matchers.entries()) {
    if (m.op.includes('~')) {
      try {
        new RegExp(m.value);
      } catch (err) {
        throw new FieldError(
          `matchers.${i}.value`,
          `not a regular expression: ${(err as Error).message}`,
        );
      }
    }
  }
  const s = {
    id: randomUUID(),
    matchers: input.matchers,
    starts_at: input.starts_at ?? new Date().toISOString(),
    ends_at: input.ends_at,
    comment: input.comment,
    created_by: actor,
  };
  await write(store, s);
  return toSilence(
    {
      ...s,
      matchers: JSON.stringify(s.matchers),
      starts_at: String(Date.parse(s.starts_at)),
      ends_at: String(Date.parse(s.ends_at)),
    },
    Date.now(),
  );
}

/** Silences that have not ended (or all of them, newest first). */
export async function listSilences(store: Store, opts: { all?: boolean } = {}): Promise<Silence[]> {
  const now = Date.now();
  const rows = await store.query<Row>(
    `${SELECT} ${opts.all ? '' : "WHERE ends_at > fromUnixTimestamp64Milli({now:Int64}, 'UTC')"} ORDER BY starts_at DESC`,
    { now },
  );
  return rows.map((r) => toSilence(r, now));
}

export async function getSilence(store: Store, id: string): Promise<Silence> {
  const [row] = await store.query<Row>(`${SELECT} WHERE id = {id:String}`, { id });
  if (!row) throw new NotFoundError('silence', id);
  return toSilence(row, Date.now());
}

/** Ends a silence now (it stays listed with ?all=true). */
export async function expireSilence(store: Store, id: string): Promise<Silence> {
  const s = await getSilence(store, id);
  const now = new Date().toISOString();
  const ended = { ...s, ends_at: s.ends_at < now ? s.ends_at : now };
  await write(store, ended);
  return { ...ended, active: false };
}

function matches(m: Matcher, labels: AlertLabels): boolean {
  const v = labels[m.name];
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** The active silence whose matchers all match the alert's labels, if any. */
export function silencedBy(silences: readonly Silence[], labels: AlertLabels): Silence | undefined {
  return silences.find((s) => s.active && s.matchers.every((m) => matches(m, labels)));
}
