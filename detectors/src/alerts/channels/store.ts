import { randomUUID } from 'node:crypto';
import { isSecretKeyError, SecretKeyError, SecretKeyring, Tables, type Store } from '@osprey/db';
import { FieldError, NotFoundError } from '../errors';
import { nextVersion } from '../version';
import type { EgressPolicy } from './egress';
import type { Channel, ChannelSpec, ChannelUpdate, SigningSecret } from './schema';
import { generateSecret } from './signing';

/** How long a rotated-out secret keeps signing, so receivers can switch without missing a message. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

interface Row {
  id: string;
  name: string;
  kind: string;
  config: string;
  secrets: string;
  disabled_reason: string;
  updated_at: string;
}

const SELECT = `SELECT toString(id) AS id, name, kind, config, secrets, disabled_reason,
  toUnixTimestamp64Milli(updated_at) AS updated_at FROM ${Tables.channels} FINAL WHERE NOT deleted`;

/** Authenticated with each sealed value, so secrets copied to another channel's row do not open. */
const secretsContext = (id: string) => `channels.secrets:${id}`;
/** A webhook's URL is a secret too: Slack's, Teams' and most chat hooks carry their token in it. */
const urlContext = (id: string) => `channels.url:${id}`;

/** The channel's settings as stored: a webhook's URL sealed like its signing secrets. */
function sealConfig(store: Store, id: string, spec: ChannelSpec): string {
  if (spec.kind !== 'webhook' || SecretKeyring.isSealed(spec.url)) return JSON.stringify(spec);
  if (!store.secrets)
    throw new SecretKeyError('no secret key is configured, so webhook URLs cannot be stored');
  return JSON.stringify({ ...spec, url: store.secrets.seal(spec.url, urlContext(id)) });
}

/** A row's stored settings with a webhook's URL opened (or, written before encryption, as it was). */
function openConfig(store: Store, id: string, spec: ChannelSpec): ChannelSpec {
  if (spec.kind !== 'webhook' || !SecretKeyring.isSealed(spec.url)) return spec;
  if (!store.secrets) throw new SecretKeyError('no secret key is configured to open webhook URLs');
  return { ...spec, url: store.secrets.open(spec.url, urlContext(id)) };
}

/** Whether a row holds a value to seal again: plaintext, or (unless plaintextOnly) a former key's. */
function rowDue(
  keyring: SecretKeyring,
  r: Row,
  spec: ChannelSpec,
  plaintextOnly: boolean,
): boolean {
  const due = (stored: string) =>
    plaintextOnly ? !SecretKeyring.isSealed(stored) : keyring.needsResealing(stored);
  const hasSecrets = r.secrets !== '[]' && r.secrets !== '';
  return (hasSecrets && due(r.secrets)) || (spec.kind === 'webhook' && due(spec.url));
}

function sealSecrets(store: Store, id: string, secrets: SigningSecret[]): string {
  if (secrets.length === 0) return '[]';
  if (!store.secrets)
    throw new SecretKeyError('no secret key is configured, so channel secrets cannot be stored');
  return store.secrets.seal(JSON.stringify(secrets), secretsContext(id));
}

/** The row's secrets, sealed or (written before encryption) plaintext JSON. */
function openSecrets(store: Store, r: Row): SigningSecret[] {
  if (!SecretKeyring.isSealed(r.secrets)) return JSON.parse(r.secrets || '[]') as SigningSecret[];
  if (!store.secrets)
    throw new SecretKeyError('no secret key is configured to open channel secrets');
  return JSON.parse(store.secrets.open(r.secrets, secretsContext(r.id))) as SigningSecret[];
}

function toChannel(store: Store, r: Row): Channel {
  let secrets: SigningSecret[] = [];
  let spec = JSON.parse(r.config) as ChannelSpec;
  let disabledReason = r.disabled_reason;
  try {
    secrets = openSecrets(store, r);
    spec = openConfig(store, r.id, spec);
  } catch (err) {
    if (!isSecretKeyError(err)) throw err;
    // The channel stays listed, shown disabled with the reason, and sends nothing (unsigned or
    // anywhere); setting it again (PUT) or starting with the right key brings it back.
    disabledReason = `its signing secret or URL cannot be decrypted: ${err.message}`;
    if (spec.kind === 'webhook') spec = { ...spec, url: '' };
  }
  return {
    ...spec,
    id: r.id,
    secrets,
    disabled_reason: disabledReason,
    updated_at: new Date(Number(r.updated_at)).toISOString(),
  } as Channel;
}

export async function listChannels(store: Store): Promise<Channel[]> {
  return (await store.query<Row>(`${SELECT} ORDER BY name, id`)).map((r) => toChannel(store, r));
}

export async function getChannel(store: Store, id: string): Promise<Channel> {
  const [row] = await store.query<Row>(`${SELECT} AND id = {id:String}`, { id });
  if (!row) throw new NotFoundError('channel', id);
  return toChannel(store, row);
}

/**
 * Re-seals the channel secrets that are plaintext (rows from before encryption) or, unless
 * `plaintextOnly`, sealed under a former key, with the current OSPREY_SECRET_KEY. Rows whose
 * secrets no configured key opens are counted and left as they are.
 */
export async function resealChannelSecrets(
  store: Store,
  opts: { plaintextOnly: boolean },
): Promise<{ resealed: number; unreadable: number; total: number }> {
  const keyring = store.secrets;
  if (!keyring) throw new SecretKeyError('no secret key is configured');
  const rows = await store.query<Row & { updated_by: string }>(
    `SELECT toString(id) AS id, name, kind, config, secrets, disabled_reason, updated_by,
       toUnixTimestamp64Milli(updated_at) AS updated_at FROM ${Tables.channels} FINAL WHERE NOT deleted`,
  );
  let resealed = 0;
  let unreadable = 0;
  for (const r of rows) {
    const stored = JSON.parse(r.config) as ChannelSpec;
    if (!rowDue(keyring, r, stored, opts.plaintextOnly)) continue;
    let secrets: SigningSecret[];
    let spec: ChannelSpec;
    try {
      secrets = openSecrets(store, r);
      spec = openConfig(store, r.id, stored);
    } catch (err) {
      if (!isSecretKeyError(err)) throw err;
      unreadable++;
      continue;
    }
    await store.insert(Tables.channels, [
      {
        id: r.id,
        name: r.name,
        kind: r.kind,
        config: sealConfig(store, r.id, spec),
        secrets: sealSecrets(store, r.id, secrets),
        disabled_reason: r.disabled_reason,
        deleted: false,
        version: nextVersion(),
        updated_at: Number(r.updated_at),
        updated_by: r.updated_by,
      },
    ]);
    resealed++;
  }
  return { resealed, unreadable, total: rows.length };
}

export async function existingChannelIds(store: Store): Promise<Set<string>> {
  const rows = await store.query<{ id: string }>(
    `SELECT toString(id) AS id FROM ${Tables.channels} FINAL WHERE NOT deleted`,
  );
  return new Set(rows.map((r) => r.id));
}

/** Secrets that still sign at `now`: the current one and rotated-out ones within their overlap. */
export function liveSecrets(channel: Channel, now = Date.now()): string[] {
  return channel.secrets
    .filter((s) => s.expires_at === null || s.expires_at > now)
    .map((s) => s.secret);
}

async function write(store: Store, c: Channel, actor: string, deleted = false): Promise<Channel> {
  const { id, secrets, disabled_reason, updated_at: _u, ...spec } = c;
  const now = Date.now();
  await store.insert(Tables.channels, [
    {
      id,
      name: spec.name,
      kind: spec.kind,
      config: sealConfig(store, id, spec as ChannelSpec),
      secrets: sealSecrets(store, id, secrets),
      disabled_reason,
      deleted,
      version: nextVersion(),
      updated_at: now,
      updated_by: actor,
    },
  ]);
  return { ...c, updated_at: new Date(now).toISOString() };
}

function checkUrl(spec: ChannelSpec, policy: EgressPolicy): void {
  if (spec.kind !== 'webhook') return;
  const refused = policy.literalRefusal(new URL(spec.url));
  if (refused) throw new FieldError('url', refused);
}

/** Creates a channel; a webhook without a secret gets a generated one. */
export async function createChannel(
  store: Store,
  input: ChannelSpec,
  actor: string,
  policy: EgressPolicy,
): Promise<Channel> {
  checkUrl(input, policy);
  if (input.kind === 'email') {
    return write(
      store,
      { ...input, id: randomUUID(), secrets: [], disabled_reason: '', updated_at: '' },
      actor,
    );
  }
  const { secret, ...spec } = input;
  return write(
    store,
    {
      ...spec,
      id: randomUUID(),
      secrets: [{ secret: secret ?? generateSecret(), expires_at: null }],
      disabled_reason: '',
      updated_at: '',
    },
    actor,
  );
}

/**
 * Replaces a channel's settings and enables it again. A new or rotated webhook secret becomes the
 * current one; the previous keeps signing for SECRET_OVERLAP_MS (several signatures per message).
 */
export async function updateChannel(
  store: Store,
  id: string,
  input: ChannelUpdate,
  actor: string,
  policy: EgressPolicy,
): Promise<Channel> {
  const existing = await getChannel(store, id);
  if (existing.kind !== input.kind)
    throw new FieldError('kind', `the channel is ${existing.kind}; create a new one instead`);
  checkUrl(input, policy);
  if (input.kind === 'email') {
    return write(store, { ...input, id, secrets: [], disabled_reason: '', updated_at: '' }, actor);
  }
  const { secret, rotate_secret, ...spec } = input;
  const now = Date.now();
  const current = existing.secrets.filter((s) => s.expires_at === null || s.expires_at > now);
  const next = secret ?? (rotate_secret ? generateSecret() : undefined);
  const secrets =
    next && next !== current.find((s) => s.expires_at === null)?.secret
      ? [
          { secret: next, expires_at: null },
          ...current.map((s) => ({ ...s, expires_at: s.expires_at ?? now + SECRET_OVERLAP_MS })),
        ]
      : current;
  return write(store, { ...spec, id, secrets, disabled_reason: '', updated_at: '' }, actor);
}

export async function deleteChannel(store: Store, id: string, actor: string): Promise<Channel> {
  const existing = await getChannel(store, id);
  await write(store, existing, actor, true);
  return existing;
}

/** Marks a channel disabled (HTTP 410); deliveries to it stop until it is updated. */
export async function disableChannel(store: Store, id: string, reason: string): Promise<void> {
  const existing = await getChannel(store, id).catch(() => undefined);
  if (existing) await write(store, { ...existing, disabled_reason: reason }, 'system:alerts');
}
