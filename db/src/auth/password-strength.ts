import { z } from 'zod';
import { COMMON_PASSWORDS } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 12;

/** A password being set (setup, a new user, a change, OSPREY_ADMIN_PASSWORD): strong enough. */
export const newPassword = z
  .string({ error: 'required, a string' })
  .max(1024, 'must be at most 1024 characters')
  .superRefine((password, ctx) => {
    const weakness = passwordWeakness(password);
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness });
  });

/**
 * Why a new password is too weak to set, or undefined when it will do: too short, blank, made of
 * a handful of characters or one repeated chunk, a keyboard/alphabet walk ("qwerty123456"), or a
 * common password with some digits or symbols around it ("Password123!"). Online guessing is
 * slowed by the login limits; these rules keep the first guesses of any list from working.
 */
export function passwordWeakness(password: string): string | undefined {
  if (password.trim() === '') return 'must not be blank';
  if (password.length < MIN_PASSWORD_LENGTH)
    return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  const distinct = new Set(lower).size;
  if (distinct < 5)
    return `is too repetitive: it uses only ${distinct} different characters; choose a longer, less regular one`;
  const unit = repeatedUnit(lower);
  if (unit) return `is too repetitive: it is "${unit}" repeated; choose a longer, less regular one`;
  if (walkCount(lower) * 4 <= lower.length)
    return 'is too predictable: it follows the keyboard or the alphabet; choose a longer, less regular one';
  if (isCommon(lower))
    return 'is one of the most common passwords (with or without digits and symbols around it); choose another';
  return undefined;
}

/** The shortest chunk the whole password repeats, if it is one repeated chunk. */
function repeatedUnit(s: string): string | undefined {
  for (let size = 1; size <= s.length / 2; size++) {
    if (s.length % size === 0 && s.slice(0, size).repeat(s.length / size) === s)
      return s.slice(0, size);
  }
  return undefined;
}

/** Keyboard rows and columns (US layout), where neighbours are a walk, not a choice. */
const KEYBOARD_LINES = [
  '`1234567890-=',
  '~!@#$%^&*()_+',
  'qwertyuiop[]\\',
  "asdfghjkl;'",
  'zxcvbnm,./',
  '1qaz',
  '2wsx',
  '3edc',
  '4rfv',
  '5tgb',
  '6yhn',
  '7ujm',
  '8ik,',
  '9ol.',
  '0p;/',
];
const KEYBOARD_NEIGHBOURS = new Set(
  KEYBOARD_LINES.flatMap((line) =>
    [...line].slice(1).flatMap((c, i) => [line[i]! + c, c + line[i]!]),
  ),
);

/**
 * How many walks the password is made of: a walk goes on while each character repeats the last,
 * is next to it in the alphabet or digits ("abc", "321"), or next to it on the keyboard ("qwe").
 */
function walkCount(s: string): number {
  let walks = 1;
  for (let i = 1; i < s.length; i++) {
    const step = s.charCodeAt(i) - s.charCodeAt(i - 1);
    const walking = Math.abs(step) <= 1 || KEYBOARD_NEIGHBOURS.has(s[i - 1]! + s[i]!);
    if (!walking) walks++;
  }
  return walks;
}

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

function isCommon(lower: string): boolean {
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  const unleet = core.replace(/[013457@$!]/g, (c) => LEET[c]!);
  return [lower, core, unleet].some((candidate) => COMMON_PASSWORDS.has(candidate));
}
