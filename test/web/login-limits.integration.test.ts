import { afterAll, describe, expect, it } from 'vitest';
import { sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Issue #13 row 3: the login limit must not be keyed on a header the client writes.
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
const running: OspreyProcess[] = [];
afterAll(() => Promise.all(running.map((o) => o.stop())));

async function start(env: Record<string, string> = {}): Promise<OspreyProcess> {
  const osprey = await startOsprey({
    env: {
      OSPREY_ADMIN_EMAIL: ADMIN.email,
      OSPREY_ADMIN_PASSWORD: ADMIN.password,
      OSPREY_DETECTORS: 'off',
      ...env,
    },
  });
  running.push(osprey);
  return osprey;
}

/** The client addresses the failed logins were audited with (read after the process stopped). */
async function auditedAddresses(osprey: OspreyProcess): Promise<string[]> {
  await osprey.stop();
  const rows = await sqlRows(
    osprey.dataDir,
    "SELECT JSONExtractString(details, 'ip') FROM audit_log WHERE action = 'auth.login_failed' ORDER BY timestamp",
  );
  return rows.flat();
}

let hop = 0;
/** A fresh made-up client address per call, as an attacker rotating X-Forwarded-For would send. */
const freshAddress = () => `198.51.100.${++hop % 250}`;

async function login(osprey: OspreyProcess, password: string, address = freshAddress()) {
  const res = await fetch(`${osprey.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': address,
      // The header the server computes itself: a client's value must be replaced.
      'x-osprey-client-address': address,
    },
    body: JSON.stringify({ email: ADMIN.email, password }),
  });
  return {
    status: res.status,
    error: ((await res.json()) as { error?: string }).error,
    retryAfter: res.headers.get('retry-after'),
  };
}

describe('login limits', () => {
  it('6 wrong passwords, then the right one, each with a fresh X-Forwarded-For: 429 (the socket address counts)', async () => {
    const osprey = await start();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(osprey, `wrong-password-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await login(osprey, ADMIN.password);
    expect(right).toMatchObject({
      status: 429,
      error: expect.stringMatching(
        /^too many login attempts for admin@example.com: try again in \d+ s$/,
      ),
    });
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
    // The forged X-Forwarded-For and x-osprey-client-address were ignored: the socket's peer counts.
    expect(await auditedAddresses(osprey)).toEqual(Array(5).fill('127.0.0.1'));
  });

  it('behind a trusted proxy each X-Forwarded-For is a client, and the per-account back-off still stops the guessing', async () => {
    const osprey = await start({ OSPREY_TRUSTED_PROXIES: '127.0.0.1, ::1' });
    // One client behind the proxy is not limited by another one's failures…
    const other = await login(osprey, 'wrong-password-x', '203.0.113.9');
    expect(other.status).toBe(401);
    expect((await login(osprey, ADMIN.password, '203.0.113.10')).status).toBe(200);
    // …but one account guessed from ever new addresses is locked after five failures.
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(osprey, `wrong-password-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await login(osprey, ADMIN.password);
    expect(right.status).toBe(429);
    // The account's first lock is 30 s, whichever address asks.
    const wait = Number(
      /^too many login attempts for admin@example.com: try again in (\d+) s$/.exec(
        right.error!,
      )?.[1],
    );
    expect(wait).toBeGreaterThan(20);
    expect(wait).toBeLessThanOrEqual(30);
    expect(right.retryAfter).toBe(String(wait));
    const audited = await auditedAddresses(osprey);
    expect(audited).toHaveLength(6);
    expect(audited[0]).toBe('203.0.113.9');
    expect(new Set(audited).size).toBe(6);
    expect(audited.every((a) => a.startsWith('203.0.113.') || a.startsWith('198.51.100.'))).toBe(
      true,
    );
  });

  it('counts every address of one IPv6 /64 as one client: the setup attempts of rotating addresses run out', async () => {
    // A fresh install (no admin): the one-time setup is limited per client network.
    const osprey = await startOsprey({
      env: { OSPREY_DETECTORS: 'off', OSPREY_TRUSTED_PROXIES: '127.0.0.1, ::1' },
    });
    running.push(osprey);
    const setup = async (address: string) =>
      (
        await fetch(`${osprey.url}/api/v1/auth/setup`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: osprey.url,
            'x-forwarded-for': address,
          },
          // Refused after the attempt is taken (no password): nobody is created.
          body: JSON.stringify({ email: ADMIN.email }),
        })
      ).status;
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push(await setup(`2001:db8:1:2::${i.toString(16)}`));
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    expect(await setup('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(429);
    // The next /64, and an IPv4 client, are other clients.
    expect(await setup('2001:db8:1:3::1')).toBe(400);
    expect(await setup('198.51.100.200')).toBe(400);
  });

  it("believes X-Forwarded-Proto/-Host only from a trusted proxy: a direct client's https claim gets no Secure cookie", async () => {
    const secureCookie = async (osprey: OspreyProcess) => {
      const res = await fetch(`${osprey.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify(ADMIN),
      });
      expect(res.status).toBe(200);
      return /; Secure$/.test(res.headers.get('set-cookie') ?? '');
    };
    expect(await secureCookie(await start())).toBe(false);
    expect(await secureCookie(await start({ OSPREY_TRUSTED_PROXIES: '127.0.0.1, ::1' }))).toBe(
      true,
    );
  });

  it('refuses an OSPREY_TRUSTED_PROXIES entry that is not an address or CIDR at start, naming it', async () => {
    await expect(start({ OSPREY_TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal' })).rejects.toThrow(
      'OSPREY_TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR range',
    );
  });
});
