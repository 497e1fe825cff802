import { describe, expect, it } from 'vitest';
import { HttpError } from './http';
import { parseEvents } from './parse-events';

const body = (s: string) => Buffer.from(s);

describe('parseEvents', () => {
  it('takes one object, an array, or NDJSON with a charset parameter', () => {
    expect(parseEvents('application/json', body('{"a":1}')).items).toEqual([{ a: 1 }]);
    expect(
      parseEvents('application/json; charset=utf-8', body('[{"a":1},{"a":2}]')).items,
    ).toHaveLength(2);
    const nd = parseEvents('application/x-ndjson', body('{"a":1}\n\n{"a":2}\n'));
    expect(nd.items).toEqual([{ a: 1 }, { a: 2 }]);
    expect(nd.unparsable.size).toBe(0);
  });

  it('refuses what it cannot read with the status that says why', () => {
    expect(() => parseEvents('text/plain', body('x'))).toThrow(
      expect.objectContaining({ status: 415 }),
    );
    expect(() => parseEvents(undefined, body('x'))).toThrow(
      "Content-Type '(none)' is not supported",
    );
    expect(() => parseEvents('application/json', body('[1,'))).toThrow(HttpError);
    expect(() => parseEvents('application/x-ndjson', body('nope\nnope'))).toThrow(
      'body is not valid NDJSON: no line parsed as JSON',
    );
  });

  it('refuses, by index and with the reason, an event in which two names become one', () => {
    const text = '[{"features":{"\\ud800":"","\\ud801":0}},{"features":{"x\\ud800":1}}]';
    const parsed = parseEvents('application/json', body(text));
    expect([...parsed.unparsable.keys()]).toEqual([0]);
    expect(parsed.unparsable.get(0)).toMatch(/^features: the names "\\ud800" and "\\ud801"/);
    expect(parsed.items[1]).toEqual({ features: { 'x\ufffd': 1 } });
    expect(parsed.repaired).toBe(2);
  });
});
