import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Issue #13 row 11: "aaaaaaaaaaaa" and twelve spaces are refused wherever a password is set.
const WEAK = {
  aaaaaaaaaaaa:
    'password: is too repetitive: it uses only 1 different characters; choose a longer, less regular one',
  [' '.repeat(12)]: 'password: must not be blank',
};
let osprey: OspreyProcess;

beforeAll(async () => {
  // No OSPREY_ADMIN_EMAIL: the one-time setup is open.
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off' } });
});
afterAll(() => osprey?.stop());

async function call(method: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${osprey.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { error?: string; id?: string } };
}
const asAdminKey = () => ({ authorization: `Bearer ${osprey.apiKey}` });

describe('password strength through the API', () => {
  it('refuses weak passwords at the one-time setup, then accepts a strong one', async () => {
    for (const [password, error] of Object.entries(WEAK)) {
      const res = await call(
        'POST',
        '/api/v1/auth/setup',
        { email: 'ada@example.com', password },
        { origin: osprey.url },
      );
      expect(res).toEqual({ status: 400, json: { error } });
    }
    const ok = await call(
      'POST',
      '/api/v1/auth/setup',
      { email: 'ada@example.com', password: 'correct-horse-battery' },
      { origin: osprey.url },
    );
    expect(ok.status).toBe(201);
  });

  it('refuses weak passwords when a user is created and when a password is changed', async () => {
    for (const [password, error] of Object.entries(WEAK)) {
      const created = await call(
        'POST',
        '/api/v1/users',
        { email: 'bo@example.com', role: 'viewer', password },
        asAdminKey(),
      );
      expect(created).toEqual({ status: 400, json: { error } });
    }
    const created = await call(
      'POST',
      '/api/v1/users',
      { email: 'bo@example.com', role: 'viewer', password: 'a-long-password-1' },
      asAdminKey(),
    );
    expect(created.status).toBe(201);
    for (const [password, error] of Object.entries(WEAK)) {
      const changed = await call(
        'PUT',
        `/api/v1/users/${created.json.id}`,
        { password },
        asAdminKey(),
      );
      expect(changed).toEqual({ status: 400, json: { error } });
    }
    const common = await call(
      'PUT',
      `/api/v1/users/${created.json.id}`,
      { password: 'Password1234!' },
      asAdminKey(),
    );
    expect(common.json.error).toBe(
      'password: is one of the most common passwords (with or without digits and symbols around it); choose another',
    );
    const changed = await call(
      'PUT',
      `/api/v1/users/${created.json.id}`,
      { password: 'a-new-long-password' },
      asAdminKey(),
    );
    expect(changed.status).toBe(200);
  });

  it('refuses a weak OSPREY_ADMIN_PASSWORD at start, naming the variable', async () => {
    await expect(
      startOsprey({
        env: { OSPREY_ADMIN_EMAIL: 'admin@example.com', OSPREY_ADMIN_PASSWORD: ' '.repeat(12) },
      }),
    ).rejects.toThrow('OSPREY_ADMIN_PASSWORD: must not be blank');
  });
});
