import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { epochMsToIso } from './codecs';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
export const scopeSchema = z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` });

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

/** Every Osprey API key starts so: generated ones, the demo's, OSPREY_API_KEY (checked at start). */
export const API_KEY_PREFIX = 'osp_';

const apiKeyRow = z.object({
  id: z.string(),
  name: z.string(),
  // Keys created before the listing showed `osp_` stored their 8 hex characters alone.
  prefix: z.string().transform((p) => (/^[0-9a-f]{8}$/.test(p) ? `${API_KEY_PREFIX}${p}` : p)),
  scopes: z.array(scopeSchema),
  created_at: epochMsToIso,
  revoked_at: epochMsToIso.nullable(),
});

const API_KEY_COLUMNS = `toString(id) AS id, name, prefix, scopes,
  toUnixTimestamp64Milli(created_at) AS created_at, toUnixTimestamp64Milli(revoked_at) AS revoked_at`;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * `osp_<8 hex>_<43 chars of base64url>`: 256 bits of secret; the key's first 12 characters
 * (`osp_<8 hex>`) are its public prefix, as listings show it.
 */
export function generateApiKey(): { key: string; prefix: string } {
  const prefix = `${API_KEY_PREFIX}${randomBytes(4).toString('hex')}`;
  return { key: `${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

/** Creates a key and returns it once, in clear; only its hash is stored. */
export async function createApiKey(
  store: Store,
  input: { name: string; scopes: readonly Scope[]; key?: string },
): Promise<{ key: string; apiKey: ApiKey }> {
  const generated = generateApiKey();
  const key = input.key ?? generated.key;
  // A chosen key (OSPREY_API_KEY) shows only `osp_` and nothing of its secret in listings.
  const prefix = input.key ? key.slice(0, 4) : generated.prefix;
  const now = Date.now();
  const row = {
    id: randomUUID(),
    name: input.name,
    prefix,
    key_hash: hashApiKey(key),
    scopes: [...new Set(input.scopes)],
    created_at: now,
    revoked_at: null,
    updated_at: now,
  };
  await store.insert(Tables.apiKeys, [row]);
  const apiKey: ApiKey = {
    id: row.id,
    name: row.name,
    prefix,
    scopes: row.scopes,
    created_at: new Date(now).toISOString(),
    revoked_at: null,
  };
  return { key, apiKey };
}

export async function findApiKeyByHash(store: Store, keyHash: string): Promise<ApiKey | undefined> {
  const rows = await store.query(
    `SELECT ${API_KEY_COLUMNS}
     FROM ${Tables.apiKeys} FINAL WHERE key_hash = {hash:String} LIMIT 1`,
    { hash: keyHash },
  );
  return rows[0] ? (apiKeyRow.parse(rows[0]) as ApiKey) : undefined;
}

export async function listApiKeys(store: Store): Promise<ApiKey[]> {
  const rows = await store.query(
    `SELECT ${API_KEY_COLUMNS}
     FROM ${Tables.apiKeys} FINAL ORDER BY created_at`,
  );
  return rows.map((r) => apiKeyRow.parse(r) as ApiKey);
}

/**
 * Revokes a key: a newer row with `revoked_at` set (kept, so listings and audits still name it).
 * Undefined for an unknown id; a key revoked before keeps its first revocation time.
 */
export async function revokeApiKey(store: Store, id: string): Promise<ApiKey | undefined> {
  const rows = await store.query<{ key_hash: string }>(
    `SELECT ${API_KEY_COLUMNS}, key_hash
     FROM ${Tables.apiKeys} FINAL WHERE toString(id) = {id:String} LIMIT 1`,
    { id },
  );
  if (!rows[0]) return undefined;
  const existing = apiKeyRow.parse(rows[0]) as ApiKey;
  if (existing.revoked_at) return existing;
  const now = Date.now();
  await store.insert(Tables.apiKeys, [
    {
      id,
      name: existing.name,
      prefix: existing.prefix,
      key_hash: rows[0].key_hash,
      scopes: existing.scopes,
      created_at: Date.parse(existing.created_at),
      revoked_at: now,
      updated_at: now,
    },
  ]);
  return { ...existing, revoked_at: new Date(now).toISOString() };
}

/** Makes sure `key` exists with exactly `scopes` and is not revoked (OSPREY_API_KEY at start). */
export async function ensureApiKey(
  store: Store,
  input: { name: string; key: string; scopes: readonly Scope[] },
): Promise<ApiKey> {
  const existing = await findApiKeyByHash(store, hashApiKey(input.key));
  const wanted = [...new Set(input.scopes)].sort();
  if (existing && !existing.revoked_at && [...existing.scopes].sort().join() === wanted.join()) {
    return existing;
  }
  if (existing) {
    await store.insert(Tables.apiKeys, [
      {
        id: existing.id,
        name: input.name,
        prefix: existing.prefix,
        key_hash: hashApiKey(input.key),
        scopes: wanted,
        created_at: Date.parse(existing.created_at),
        revoked_at: null,
        updated_at: Date.now(),
      },
    ]);
    return { ...existing, scopes: wanted as Scope[], revoked_at: null };
  }
  return (await createApiKey(store, input)).apiKey;
}
