import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, generateApiKey } from './api-keys';

describe('generateApiKey', () => {
  it('makes keys that start with osp_ and their listing prefix, the same characters', () => {
    const { key, prefix } = generateApiKey();
    expect(key).toMatch(/^osp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(prefix).toMatch(/^osp_[0-9a-f]{8}$/);
    expect(prefix.startsWith(API_KEY_PREFIX)).toBe(true);
    // What Settings lists (`prefix…`) is how the key itself begins.
    expect(key.startsWith(`${prefix}_`)).toBe(true);
  });
});
