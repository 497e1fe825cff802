import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** What sealed values start with: `osk1:<key id>:<iv>:<ciphertext and tag>` (base64url parts). */
const PREFIX = 'osk1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/**
 * By name, not `instanceof`: the dashboard's Next.js bundle holds its own copy of this module, and
 * the keyring it is handed was made by the process's copy.
 */
export const isSecretKeyError = (err: unknown): err is SecretKeyError =>
  err instanceof Error && err.name === 'SecretKeyError';

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * AES-256-GCM under the current key, with the key's id stored beside each ciphertext so that values
 * sealed under a former key (OSPREY_SECRET_KEY_PREVIOUS) still open while they are re-sealed.
 * `context` (e.g. "channels.secrets:<id>") is authenticated: a value copied to another row fails.
 */
export class SecretKeyring {
  private readonly current: Key;
  private readonly byId: Map<string, Key>;

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.current = toKey(current);
    this.byId = new Map([this.current, ...previous.map(toKey)].map((k) => [k.id, k]));
  }

  /** The id of the key new values are sealed with (a hash prefix; it reveals nothing of the key). */
  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${PREFIX}${this.current.id}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const [id, iv, body] = sealed.slice(PREFIX.length).split(':');
    const key = id ? this.byId.get(id) : undefined;
    if (!key)
      throw new SecretKeyError(
        `a secret was sealed with key id ${id ?? '?'}, which is neither OSPREY_SECRET_KEY (id ${this.current.id}) nor in OSPREY_SECRET_KEY_PREVIOUS: set the key it was written with`,
      );
    const bytes = Buffer.from(body ?? '', 'base64url');
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        key.bytes,
        Buffer.from(iv ?? '', 'base64url'),
      );
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        `a secret sealed with key id ${key.id} does not open (altered, or moved from another row)`,
      );
    }
  }

  /** Whether a stored value is sealed at all (rows written before encryption are plaintext). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /** Whether a stored value should be re-sealed: plaintext, or sealed under a former key. */
  needsResealing(stored: string): boolean {
    return !SecretKeyring.isSealed(stored) || !stored.startsWith(`${PREFIX}${this.current.id}:`);
  }
}

function toKey(bytes: Buffer): Key {
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 12), bytes };
}

/** 32 bytes from 64 hex digits or base64 (standard or url-safe); names the variable otherwise. */
export function parseKey(variable: string, text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (bytes?.length !== 32)
    throw new SecretKeyError(
      `${variable} must be 32 random bytes as 64 hex digits or base64 (e.g. openssl rand -base64 32)`,
    );
  return bytes;
}
