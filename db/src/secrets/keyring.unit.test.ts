import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKey, SecretKeyError, SecretKeyring } from './keyring';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('SecretKeyring', () => {
  it('seals so that the plaintext is not in the stored value, and opens it again', () => {
    const ring = new SecretKeyring(k1);
    const sealed = ring.seal('whsec_top-secret', 'channels.secrets:a');
    expect(sealed).toMatch(new RegExp(`^osk1:${ring.currentKeyId}:`));
    expect(sealed).not.toContain('top-secret');
    expect(ring.seal('whsec_top-secret', 'channels.secrets:a')).not.toBe(sealed); // fresh IV
    expect(ring.open(sealed, 'channels.secrets:a')).toBe('whsec_top-secret');
  });

  it('refuses a value moved to another row, or altered', () => {
    const ring = new SecretKeyring(k1);
    const sealed = ring.seal('s', 'channels.secrets:a');
    expect(() => ring.open(sealed, 'channels.secrets:b')).toThrow(SecretKeyError);
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => ring.open(flipped, 'channels.secrets:a')).toThrow(/does not open/);
  });

  it('opens values of a previous key and says which are due for re-sealing', () => {
    const old = new SecretKeyring(k1);
    const sealed = old.seal('s', 'c');
    const rotated = new SecretKeyring(k2, [k1]);
    expect(rotated.open(sealed, 'c')).toBe('s');
    expect(rotated.needsResealing(sealed)).toBe(true);
    expect(rotated.needsResealing(rotated.seal('s', 'c'))).toBe(false);
    expect(rotated.needsResealing('[{"secret":"plain"}]')).toBe(true);
  });

  it('names the variables when no configured key opens a value', () => {
    const sealed = new SecretKeyring(k1).seal('s', 'c');
    expect(() => new SecretKeyring(k2).open(sealed, 'c')).toThrow(
      /neither OSPREY_SECRET_KEY .* nor in OSPREY_SECRET_KEY_PREVIOUS/,
    );
  });
});

describe('parseKey', () => {
  it('takes 32 bytes as hex or base64 and refuses anything else, naming the variable', () => {
    expect(parseKey('K', k1.toString('hex'))).toEqual(k1);
    expect(parseKey('K', k1.toString('base64'))).toEqual(k1);
    expect(parseKey('K', `${k1.toString('base64url')}\n`)).toEqual(k1);
    expect(() => parseKey('OSPREY_SECRET_KEY', 'hunter2')).toThrow(/^OSPREY_SECRET_KEY must be 32/);
    expect(() => parseKey('K', randomBytes(16).toString('hex'))).toThrow(SecretKeyError);
  });
});
