import { parseEnv } from '@osprey/db';
import { describe, expect, it } from 'vitest';
import { startEnv } from './env';

const env = (key: string) => ({ OSPREY_API_KEY: key }) as unknown as NodeJS.ProcessEnv;

describe('OSPREY_API_KEY', () => {
  it('looks like every other Osprey key: osp_ and a secret', () => {
    expect(() => parseEnv(startEnv, env('0123456789abcdef0123456789'))).toThrow(
      'OSPREY_API_KEY: must start with osp_ like every Osprey key',
    );
    expect(() => parseEnv(startEnv, env('osp_short'))).toThrow(
      'OSPREY_API_KEY: must be at least 20 characters',
    );
    expect(parseEnv(startEnv, env('osp_0123456789abcdef')).OSPREY_API_KEY).toBe(
      'osp_0123456789abcdef',
    );
  });
});
