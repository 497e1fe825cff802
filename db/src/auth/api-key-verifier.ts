import { findApiKeyByHash, hashApiKey, type ApiKey, type Scope } from '../queries/api-keys';
import type { Store } from '../store/store';

export type Verification =
  { ok: true; apiKey: ApiKey } | { ok: false; status: 401 | 403; error: string };

/** Finds a key by the hash of its secret; a process without a store asks one that has it. */
export type ApiKeyLookup = (keyHash: string) => Promise<ApiKey | undefined>;

interface CacheEntry {
  apiKey: ApiKey | undefined;
  expires: number;
}

/**
 * Checks `Authorization: Bearer <key>` against the stored hashes. Results are cached briefly, so a
 * busy collector does not query per request: a key revoked through this verifier's `forget` stops
 * working at once, one revoked by another process within `ttlMs`.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped by `forget`: a lookup that started before it does not cache what it read. */
  private generation = 0;

  private readonly find: ApiKeyLookup;

  constructor(
    source: Store | ApiKeyLookup,
    private readonly ttlMs = 10_000,
    private readonly maxCached = 10_000,
  ) {
    this.find = typeof source === 'function' ? source : (hash) => findApiKeyByHash(source, hash);
  }

  async verify(authorization: string | undefined, scope: Scope): Promise<Verification> {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) {
      return { ok: false, status: 401, error: 'missing API key: send Authorization: Bearer <key>' };
    }
    const apiKey = await this.lookup(hashApiKey(match[1]!));
    if (!apiKey || apiKey.revoked_at) {
      return { ok: false, status: 401, error: 'invalid or revoked API key' };
    }
    if (!apiKey.scopes.includes(scope) && !apiKey.scopes.includes('admin')) {
      return { ok: false, status: 403, error: `this API key lacks the '${scope}' scope` };
    }
    return { ok: true, apiKey };
  }

  /** Drops a key from the cache (after revoking it), so its next use is checked in the store. */
  forget(apiKeyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.cache) {
      if (entry.apiKey?.id === apiKeyId) this.cache.delete(hash);
    }
  }

  private async lookup(hash: string): Promise<ApiKey | undefined> {
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now) return cached.apiKey;
    const generation = this.generation;
    const apiKey = await this.find(hash);
    if (generation !== this.generation) return apiKey;
    if (this.cache.size >= this.maxCached) this.cache.clear();
    this.cache.set(hash, { apiKey, expires: now + this.ttlMs });
    return apiKey;
  }
}
