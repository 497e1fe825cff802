import { afterEach, describe, expect, it } from 'vitest';
import { csrfRefusal } from './csrf';

const request = (headers: Record<string, string>) =>
  new Request('http://127.0.0.1:3000/api/v1/users', { method: 'POST', headers });

describe('csrfRefusal', () => {
  afterEach(() => {
    delete process.env.OSPREY_PUBLIC_URL;
  });

  it('accepts this host from Origin or Referer, and refuses others or none', () => {
    const host = { host: 'osprey.internal:3000' };
    expect(
      csrfRefusal(request({ ...host, origin: 'http://osprey.internal:3000' })),
    ).toBeUndefined();
    expect(
      csrfRefusal(request({ ...host, referer: 'http://osprey.internal:3000/alerts?x=1' })),
    ).toBeUndefined();
    expect(csrfRefusal(request({ ...host, origin: 'http://osprey.internal:3001' }))).toBe(
      'cross-site request refused: Origin http://osprey.internal:3001 is not this site',
    );
    expect(csrfRefusal(request({ ...host, origin: 'null' }))).toMatch(/needs an Origin header/);
    expect(csrfRefusal(request(host))).toMatch(/needs an Origin header/);
  });

  it('accepts the proxy-forwarded host and OSPREY_PUBLIC_URL', () => {
    const proxied = { host: '10.0.0.5:3000', 'x-forwarded-host': 'osprey.example.com' };
    expect(
      csrfRefusal(request({ ...proxied, origin: 'https://osprey.example.com' })),
    ).toBeUndefined();
    process.env.OSPREY_PUBLIC_URL = 'https://dash.example.com';
    expect(
      csrfRefusal(request({ host: '10.0.0.5:3000', origin: 'https://dash.example.com' })),
    ).toBeUndefined();
    expect(
      csrfRefusal(request({ host: '10.0.0.5:3000', origin: 'https://evil.example.com' })),
    ).toMatch(/is not this site/);
  });
});
