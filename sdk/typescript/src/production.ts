import { createHash } from 'node:crypto';
import { OspreyError } from './errors';

/** What `GET /v1/models/{model}/production` answers. */
export interface Production {
  model: string;
  version: string;
  sha256: string;
  artifact_url: string;
  changed_at: string;
  action: 'promote' | 'rollback';
  reason: string;
  actor: string;
  alert_id: string | null;
}

export interface ProductionConfig {
  /** Where Osprey's web app (or `osprey start`) listens, e.g. http://localhost:3000. */
  url: string;
  /** A key with the `read` scope. */
  apiKey: string;
  requestTimeoutMs?: number;
}

export interface WatchOptions {
  /** How often to poll (default 10 s); a poll with nothing new is a 304 without a body. */
  intervalMs?: number;
  /** Poll failures (the watch goes on polling). Default: none. */
  onError?: (err: OspreyError) => void;
}

const USER_AGENT = 'osprey-sdk-typescript/0.1.0';

/**
 * Which model version is in production, polled cheaply: each model's last answer is cached with
 * its ETag and sent back as If-None-Match, so an unchanged production costs a 304 and no body.
 */
export class ProductionPoller {
  readonly #config: Required<ProductionConfig>;
  readonly #cache = new Map<string, { etag: string; value: Production }>();

  constructor(config: ProductionConfig) {
    this.#config = { requestTimeoutMs: 10_000, ...config, url: config.url.replace(/\/+$/, '') };
  }

  /**
   * The model's production version, or null when nothing was promoted yet. After a network
   * failure the last answer is returned if there is one (a stale version beats none for a service
   * deciding what to load); without one, and for any refusal, it rejects with an OspreyError.
   */
  async get(model: string): Promise<Production | null> {
    const cached = this.#cache.get(model);
    let res: Response;
    try {
      res = await fetch(`${this.#config.url}/v1/models/${encodeURIComponent(model)}/production`, {
        headers: {
          authorization: `Bearer ${this.#config.apiKey}`,
          'user-agent': USER_AGENT,
          ...(cached ? { 'if-none-match': cached.etag } : {}),
        },
        signal: AbortSignal.timeout(this.#config.requestTimeoutMs),
      });
    } catch (err) {
      if (cached) return cached.value;
      throw new OspreyError('failed', `production of ${model}: ${(err as Error).message}`);
    }
    if (res.status === 304 && cached) return cached.value;
    if (res.status === 404) {
      await res.body?.cancel();
      this.#cache.delete(model);
      return null;
    }
    if (res.status !== 200) {
      const text = await res.text().catch(() => '');
      throw new OspreyError(
        'failed',
        `production of ${model}: ${res.status} ${text.slice(0, 200)}`,
        1,
        res.status,
      );
    }
    const value = (await res.json()) as Production;
    const etag = res.headers.get('etag');
    if (etag) this.#cache.set(model, { etag, value });
    return value;
  }

  /**
   * Calls `onChange` with the production version now and each time it changes (a promote or a
   * rollback, seen within `intervalMs`). Returns a function that stops the polling.
   */
  watch(
    model: string,
    onChange: (production: Production | null) => void,
    options: WatchOptions = {},
  ): () => void {
    const interval = options.intervalMs ?? 10_000;
    let last: string | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        const p = await this.get(model);
        const key = p ? `${p.version}@${p.changed_at}` : '';
        if (key !== last && !stopped) {
          last = key;
          onChange(p);
        }
      } catch (err) {
        options.onError?.(
          err instanceof OspreyError ? err : new OspreyError('failed', String(err)),
        );
      }
      if (!stopped) timer = setTimeout(() => void tick(), interval).unref();
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /**
   * The version's ONNX bytes, checked against its sha256. A relative `artifact_url` is resolved
   * against the configured URL; the API key is sent only to the configured origin, so an
   * `artifact_url` on another origin is refused (it would hand the key to that server).
   */
  async artifact(production: Production): Promise<Uint8Array> {
    const url = this.#artifactUrl(production);
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${this.#config.apiKey}`, 'user-agent': USER_AGENT },
      signal: AbortSignal.timeout(this.#config.requestTimeoutMs * 6),
    });
    if (res.status !== 200)
      throw new OspreyError(
        'failed',
        `artifact of ${production.model} ${production.version}: ${res.status}`,
        1,
        res.status,
      );
    const bytes = new Uint8Array(await res.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== production.sha256)
      throw new OspreyError(
        'failed',
        `artifact of ${production.model} ${production.version}: sha256 ${sha}, expected ${production.sha256}`,
      );
    return bytes;
  }

  #artifactUrl(production: Production): URL {
    const what = `artifact of ${production.model} ${production.version}`;
    const raw = production.artifact_url;
    const base = this.#config.url;
    let url: URL;
    try {
      // A path from the server's root keeps a path prefix of the configured URL (a proxy's).
      url =
        raw.startsWith('/') && !raw.startsWith('//')
          ? new URL(base + raw)
          : new URL(raw, `${base}/`);
    } catch {
      throw new OspreyError('failed', `${what}: artifact_url ${JSON.stringify(raw)} is not a URL`);
    }
    const origin = new URL(base).origin;
    if (url.origin !== origin)
      throw new OspreyError(
        'failed',
        `${what}: artifact_url ${url.href} is not on ${origin}, the origin this client is configured with; ` +
          `the API key is only sent there (configure the client with Osprey's OSPREY_PUBLIC_URL, or unset it for relative URLs)`,
      );
    return url;
  }
}
