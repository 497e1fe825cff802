import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_NETWORK_HEADER,
  TrustedProxies,
  clientAddress,
  clientNetwork,
  stampClientAddress,
} from './client-address';

const none = new TrustedProxies();

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', none)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', ['1.1.1.1', '2.2.2.2'], none)).toBe('127.0.0.1');
    expect(clientAddress(undefined, '1.1.1.1', none)).toBe('unknown');
  });

  it('writes an IPv4-mapped IPv6 peer as IPv4, and IPv6 in its short form', () => {
    expect(clientAddress('::ffff:127.0.0.1', undefined, none)).toBe('127.0.0.1');
    expect(clientAddress('2001:0db8:0000:0000:0000:0000:0000:0001', undefined, none)).toBe(
      '2001:db8::1',
    );
  });

  it('walks X-Forwarded-For from the right past trusted proxies only', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8']);
    expect(clientAddress('10.0.0.1', '198.51.100.9', proxies)).toBe('198.51.100.9');
    expect(clientAddress('10.0.0.1', '198.51.100.9, 10.0.0.2', proxies)).toBe('198.51.100.9');
    // What the client wrote itself is left of the hop its first proxy added: never believed.
    expect(clientAddress('10.0.0.1', '6.6.6.6, 198.51.100.9, 10.0.0.2', proxies)).toBe(
      '198.51.100.9',
    );
    expect(clientAddress('10.0.0.1', ['6.6.6.6', '198.51.100.9'], proxies)).toBe('198.51.100.9');
    // A peer outside the trusted ranges is the client, even if it sends the header.
    expect(clientAddress('192.0.2.1', '6.6.6.6', proxies)).toBe('192.0.2.1');
  });

  it('matches IPv4-mapped peers against IPv4 proxies and the other way round', () => {
    const v4 = new TrustedProxies(['127.0.0.1']);
    expect(clientAddress('::ffff:127.0.0.1', '198.51.100.9', v4)).toBe('198.51.100.9');
    expect(clientAddress('127.0.0.1', '::ffff:198.51.100.9', v4)).toBe('198.51.100.9');
    const mapped = new TrustedProxies(['::ffff:10.0.0.0/104']);
    expect(clientAddress('10.1.2.3', '198.51.100.9', mapped)).toBe('198.51.100.9');
  });

  it('matches IPv6 CIDRs', () => {
    const proxies = new TrustedProxies(['2001:db8::/32', '::1']);
    expect(clientAddress('2001:db8:1::5', '2001:db8:2::6, 2a00:1450::1', proxies)).toBe(
      '2a00:1450::1',
    );
    expect(clientAddress('::1', '2001:db8::7, 2001:db8::8', proxies)).toBe('2001:db8::7');
  });

  it('stops at a hop that is not an address, and at the last hop when all are trusted', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8']);
    expect(clientAddress('10.0.0.1', 'unknown, 10.0.0.2', proxies)).toBe('unknown');
    expect(clientAddress('10.0.0.1', '10.0.0.3, 10.0.0.2', proxies)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.1', undefined, proxies)).toBe('10.0.0.1');
  });

  it('refuses an entry that is neither an address nor a CIDR range, naming it', () => {
    expect(() => new TrustedProxies(['10.0.0.1', 'proxy.internal'])).toThrow(
      '"proxy.internal" is not an IP address or CIDR range',
    );
    expect(() => new TrustedProxies(['10.0.0.0/33'])).toThrow(
      '"10.0.0.0/33" is not an IP address or CIDR range',
    );
  });
});

describe('clientNetwork', () => {
  it('is an IPv4 address itself (an IPv4-mapped one written as IPv4)', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it("is an IPv6 address's /64, whichever of its addresses and spellings", () => {
    expect(clientNetwork('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientNetwork('::1')).toBe('::/64');
  });

  it('is anything that is not an address unchanged', () => {
    expect(clientNetwork('unknown')).toBe('unknown');
    expect(clientNetwork('proxy.internal')).toBe('proxy.internal');
  });
});

describe('stampClientAddress', () => {
  it('replaces whatever the client sent in the headers with the address and network it computed', () => {
    const req = {
      socket: { remoteAddress: '::ffff:203.0.113.7' },
      headers: {
        [CLIENT_ADDRESS_HEADER]: '1.2.3.4',
        [CLIENT_NETWORK_HEADER]: '1.2.3.4',
        'x-forwarded-for': '2001:db8:1:2::77',
      },
    } as unknown as IncomingMessage;
    stampClientAddress(req);
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe('203.0.113.7');
    expect(req.headers[CLIENT_NETWORK_HEADER]).toBe('203.0.113.7');
    stampClientAddress(req, new TrustedProxies(['203.0.113.0/24']));
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe('2001:db8:1:2::77');
    expect(req.headers[CLIENT_NETWORK_HEADER]).toBe('2001:db8:1:2::/64');
  });

  it("drops X-Forwarded-Host/-Proto from a peer that is not a trusted proxy, keeps a proxy's", () => {
    const forged = () =>
      ({
        socket: { remoteAddress: '203.0.113.7' },
        headers: {
          host: 'osprey.internal:3000',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-proto': 'https',
          forwarded: 'host=evil.example;proto=https',
        },
      }) as unknown as IncomingMessage;
    const direct = forged();
    stampClientAddress(direct);
    expect(direct.headers).toEqual({
      host: 'osprey.internal:3000',
      [CLIENT_ADDRESS_HEADER]: '203.0.113.7',
      [CLIENT_NETWORK_HEADER]: '203.0.113.7',
    });
    const proxied = forged();
    stampClientAddress(proxied, new TrustedProxies(['203.0.113.7']));
    expect(proxied.headers['x-forwarded-host']).toBe('evil.example');
    expect(proxied.headers['x-forwarded-proto']).toBe('https');
  });
});
