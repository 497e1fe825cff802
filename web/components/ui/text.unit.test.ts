import { describe, expect, it } from 'vitest';
import { identifierParts, someOf, truncate } from './text';

describe('truncate', () => {
  it('keeps short text and cuts long text to max characters, the last an ellipsis', () => {
    expect(truncate('sqm', 16)).toBe('sqm');
    expect(truncate('a'.repeat(16), 16)).toBe('a'.repeat(16));
    expect(truncate('a'.repeat(1_024), 16)).toBe(`${'a'.repeat(15)}…`);
  });

  it('cuts between code points, never inside a surrogate pair', () => {
    const cut = truncate('😀'.repeat(20), 4);
    expect(cut).toBe('😀😀😀…');
    // No lone surrogate: every UTF-16 unit of the cut pairs up again.
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });
});

describe('someOf', () => {
  it('names the first three, then how many more', () => {
    expect(someOf(['a'])).toBe('a');
    expect(someOf(['a', 'b', 'c'])).toBe('a, b, c');
    const many = Array.from({ length: 2_000 }, (_, i) => `f${i}`);
    expect(someOf(many)).toBe('f0, f1, f2 and 1,997 more');
    expect(someOf(['x'.repeat(256)])).toBe(`${'x'.repeat(39)}…`);
  });
});

describe('identifierParts', () => {
  it('cuts after separators and at camelCase humps, keeping every character', () => {
    expect(identifierParts('distance_to_center_km')).toEqual(['distance_', 'to_', 'center_', 'km']);
    expect(identifierParts('region=eu-west.1')).toEqual(['region=eu-', 'west.', '1']);
    expect(identifierParts('userAgeYears')).toEqual(['user', 'Age', 'Years']);
    expect(identifierParts('URL')).toEqual(['URL']);
    expect(identifierParts('')).toEqual([]);
    const odd = 'a__b😀_Ĳx';
    expect(identifierParts(odd).join('')).toBe(odd);
  });
});
