import { describe, expect, it } from 'vitest';
import { mayHoldLoneSurrogates, repairEvent } from './well-formed';

describe('repairEvent', () => {
  it('replaces lone surrogates in values and keys with U+FFFD and keeps pairs', () => {
    const text = '{"v":"a\\ud800","f":{"k\\udc00":"\\ud83d\\ude00","n":1},"p":["x\\udbff",2]}';
    expect(mayHoldLoneSurrogates(text)).toBe(true);
    const value = JSON.parse(text) as Record<string, unknown>;
    expect(repairEvent(value)).toEqual({ changed: true });
    expect(value).toEqual({ v: 'a\ufffd', f: { 'k\ufffd': '😀', n: 1 }, p: ['x\ufffd', 2] });
  });

  it('answers false and changes nothing when every string is well-formed', () => {
    const value = { v: 'plain 😀', f: { k: 'ok' } };
    expect(repairEvent(value)).toEqual({ changed: false });
    expect(value).toEqual({ v: 'plain 😀', f: { k: 'ok' } });
    expect(mayHoldLoneSurrogates(JSON.stringify(value))).toBe(false);
  });

  it('names the map and both names when two keys become one, whichever comes first', () => {
    const twoLone = JSON.parse('{"features":{"f\\ud800":"","f\\ud801":0}}') as unknown;
    expect(repairEvent(twoLone).collision).toBe(
      'features: the names "f\\ud800" and "f\\ud801" are both "f\ufffd" once lone UTF-16 ' +
        'surrogates are replaced with U+FFFD, and one value would be lost; rename one',
    );
    const literalFirst = JSON.parse('{"tags":{"t\ufffd":"a","t\\udc00":"b"}}') as unknown;
    expect(repairEvent(literalFirst).collision).toMatch(
      /^tags: the names "t\ufffd" and "t\\udc00"/,
    );
    const nested = JSON.parse('{"a":{"b":{"\\ud800":1,"\ufffd":2}}}') as unknown;
    expect(repairEvent(nested).collision).toMatch(/^a\.b: the names "\ufffd" and "\\ud800"/);
    const distinct = JSON.parse('{"features":{"f\\ud800":1,"g\\ud800":2}}') as unknown;
    expect(repairEvent(distinct)).toEqual({ changed: true });
    expect(distinct).toEqual({ features: { 'f\ufffd': 1, 'g\ufffd': 2 } });
  });

  it('does not exhaust the stack on a body nested 100,000 deep', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`) as unknown;
    expect(repairEvent(deep)).toEqual({ changed: false }); // deeper than any event: left for validation to refuse
  });
});
