import { describe, expect, it } from 'vitest';
import type { Store } from '../store/store';
import { parseEnv } from '../config';
import { hashPassword, verifyPassword } from './password';
import { authEnv, ensureAdmin } from './users-env';

describe('passwords', () => {
  it('hashes with scrypt and a random salt, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99999999$8$1$c2FsdA==$aGFzaA==')).toBe(false);
  });

  it('refuses half of the first-admin pair, naming the missing variable', async () => {
    const noStore = {} as Store;
    await expect(
      ensureAdmin(noStore, { OSPREY_ADMIN_EMAIL: 'a@example.com', OSPREY_SESSION_TTL_SECONDS: 60 }),
    ).rejects.toThrow('OSPREY_ADMIN_PASSWORD: required when OSPREY_ADMIN_EMAIL is set');
    expect(await ensureAdmin(noStore, { OSPREY_SESSION_TTL_SECONDS: 60 })).toBeUndefined();
  });

  it('refuses a weak OSPREY_ADMIN_PASSWORD at start, naming the variable', () => {
    expect(() => parseEnv(authEnv, { OSPREY_ADMIN_PASSWORD: 'aaaaaaaaaaaa' })).toThrow(
      'OSPREY_ADMIN_PASSWORD: is too repetitive: it uses only 1 different characters',
    );
    expect(() => parseEnv(authEnv, { OSPREY_ADMIN_PASSWORD: ' '.repeat(12) })).toThrow(
      'OSPREY_ADMIN_PASSWORD: must not be blank',
    );
    expect(parseEnv(authEnv, { OSPREY_ADMIN_PASSWORD: 'correct-horse-battery' })).toMatchObject({
      OSPREY_ADMIN_PASSWORD: 'correct-horse-battery',
    });
  });
});
