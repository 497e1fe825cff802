import { describe, expect, it } from 'vitest';
import { makeWellFormed, mayHoldLoneSurrogates } from './well-formed';

describe('makeWellFormed', () => {
  it('replaces lone surrogates in values and keys with U+FFFD and keeps pairs', () => {
    const text = '{"v":"a\\ud800","f":{"k\\udc00":"\\ud83d\\ude00","n":1},"p":["x\\udbff",2]}';
    expect(mayHoldLoneSurrogates(text)).toBe(true);
    const value = JSON.parse(text) as Record<string, unknown>;
    expect(makeWellFormed(value)).toBe(true);
    expect(value).toEqual({ v: 'a\ufffd', f: { 'k\ufffd': '😀', n: 1 }, p: ['x\ufffd', 2] });
  });

  it('answers false and changes nothing when every string is well-formed', () => {
    const value = { v: 'plain 😀', f: { k: 'ok' } };
    expect(makeWellFormed(value)).toBe(false);
    expect(value).toEqual({ v: 'plain 😀', f: { k: 'ok' } });
    expect(mayHoldLoneSurrogates(JSON.stringify(value))).toBe(false);
  });

  it('does not exhaust the stack on a body nested 100,000 deep', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`) as unknown;
    expect(makeWellFormed(deep)).toBe(false); // deeper than any event: left for validation to refuse
  });
});
