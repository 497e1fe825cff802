import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords';
import { passwordWeakness } from './password-strength';

describe('passwordWeakness', () => {
  it('refuses the issue’s passwords: twelve a’s and twelve spaces', () => {
    expect(passwordWeakness('aaaaaaaaaaaa')).toBe(
      'is too repetitive: it uses only 1 different characters; choose a longer, less regular one',
    );
    expect(passwordWeakness(' '.repeat(12))).toBe('must not be blank');
    expect(passwordWeakness('\t \n'.repeat(5))).toBe('must not be blank');
  });

  it('keeps the minimum length of 12', () => {
    expect(passwordWeakness('Xk9#mQ2$vL7')).toBe('must be at least 12 characters');
    expect(passwordWeakness('Xk9#mQ2$vL7!')).toBeUndefined();
  });

  it('refuses a few characters or one repeated chunk', () => {
    expect(passwordWeakness('abababababab')).toMatch(/only 2 different characters/);
    expect(passwordWeakness('AaAaBbBb1111')).toMatch(/only 3 different characters/);
    expect(passwordWeakness('xyz9!xyz9!xyz9!')).toBe(
      'is too repetitive: it is "xyz9!" repeated; choose a longer, less regular one',
    );
    expect(passwordWeakness('horse-battery-horse-battery-')).toMatch(/"horse-battery-" repeated/);
  });

  it('refuses keyboard and alphabet walks', () => {
    for (const walk of [
      'abcdefghijkl',
      'qwertyuiop[]',
      'qwerty123456',
      '1qaz2wsx3edc',
      'zyxwvutsrqpo',
      '!@#$%^&*()_+',
      'asdfghjkl;12',
      'mnbvcxzlkjhg',
    ]) {
      expect(passwordWeakness(walk), walk).toBe(
        'is too predictable: it follows the keyboard or the alphabet; choose a longer, less regular one',
      );
    }
  });

  it('refuses common passwords, also with digits, symbols or leet around or in them', () => {
    const common =
      'is one of the most common passwords (with or without digits and symbols around it); choose another';
    for (const pw of [
      'Password1234',
      'password123!',
      '2024sunshine!!',
      'P@ssw0rd2024',
      'iloveyou1234',
      'correcthorsebatterystaple',
      'change-me-to-something-long',
      'Osprey123456',
      'football#2025',
    ]) {
      expect(passwordWeakness(pw), pw).toBe(common);
    }
  });

  it('accepts passphrases and random passwords', () => {
    for (const pw of [
      'correct-horse-battery',
      'a-long-password-1',
      'route-test-password',
      'a-new-long-password',
      'dana-password-123',
      'long-enough-password',
      'a-different-password',
      'Tr0ub4dor&3-extra',
      'mV8#qL2!zR5@',
      '模型😀的密码很长很长很长',
    ]) {
      expect(passwordWeakness(pw), pw).toBeUndefined();
    }
  });

  it('ships a few hundred common passwords, lower-cased', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(400);
    for (const pw of COMMON_PASSWORDS) expect(pw).toBe(pw.toLowerCase());
  });
});
