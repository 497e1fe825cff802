import { describe, expect, it } from 'vitest';
import { artifactUrl } from './artifact-url';

describe('artifactUrl', () => {
  it('is relative without a public URL', () => {
    expect(artifactUrl('houses', 'v1')).toBe('/v1/models/houses/versions/v1/artifact');
  });

  it('is absolute under OSPREY_PUBLIC_URL, keeping its path prefix', () => {
    expect(artifactUrl('houses', 'v1', 'https://osprey.example.com')).toBe(
      'https://osprey.example.com/v1/models/houses/versions/v1/artifact',
    );
    expect(artifactUrl('houses', 'v1', 'https://example.com/osprey/?x=1#y')).toBe(
      'https://example.com/osprey/v1/models/houses/versions/v1/artifact',
    );
  });

  it('encodes the model and version as path segments', () => {
    expect(artifactUrl('a b', 'v/1')).toBe('/v1/models/a%20b/versions/v%2F1/artifact');
  });
});
