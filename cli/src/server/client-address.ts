import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

/**
 * The header that carries the client's address to the web app (Next.js route handlers do not see
 * the socket). The server always sets it, so whatever a client sent under that name is replaced.
 */
export const CLIENT_ADDRESS_HEADER = 'x-osprey-client-address';

/**
 * The header with the network the client's address is rate-limited as (clientNetwork), set beside
 * CLIENT_ADDRESS_HEADER and replaced the same way.
 */
export const CLIENT_NETWORK_HEADER = 'x-osprey-client-network';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The proxies whose X-Forwarded-For is believed: OSPREY_TRUSTED_PROXIES, addresses or CIDRs. */
export class TrustedProxies {
  private readonly ranges: Range[];

  /** Throws naming the first entry that is neither an address nor a CIDR range. */
  constructor(readonly entries: readonly string[] = []) {
    this.ranges = entries.map((entry) => {
      try {
        if (entry.includes('/')) return ipaddr.parseCIDR(entry);
        const address = ipaddr.parse(entry);
        return [address, address.kind() === 'ipv4' ? 32 : 128];
      } catch {
        throw new Error(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
      }
    });
  }

  trusts(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    return this.ranges.some(([range, bits]) => {
      if (address.kind() === range.kind()) return address.match(range, bits);
      // An IPv4 range written as ::ffff:a.b.c.d/n, or an IPv4-mapped address against an IPv4 one.
      if (address instanceof ipaddr.IPv4) return address.toIPv4MappedAddress().match(range, bits);
      const v6 = address as ipaddr.IPv6;
      return v6.isIPv4MappedAddress() && v6.toIPv4Address().match(range, bits);
    });
  }
}

const NO_PROXIES = new TrustedProxies();

/** An address as one spelling: ::ffff:1.2.3.4 is 1.2.3.4, IPv6 in its short form. */
function parse(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    return ipaddr.process(text.trim());
  } catch {
    return undefined;
  }
}

/**
 * The client's address: the socket's peer, unless the peer is a trusted proxy; then the
 * X-Forwarded-For hops are read from the right (the nearest first), skipping trusted proxies,
 * and the first one that is not trusted is the client. A client can put anything at the left of
 * X-Forwarded-For, so nothing left of the first untrusted hop is believed. A hop that is not an
 * address ends the walk there, as the address the last trusted proxy vouched for.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  let current = peer === undefined ? undefined : parse(peer);
  if (!current) return peer?.trim() || 'unknown';
  const hops = [forwardedFor ?? []]
    .flat()
    .flatMap((h) => h.split(','))
    .map((h) => h.trim())
    .filter(Boolean);
  while (trusted.trusts(current)) {
    const hop = hops.pop();
    if (hop === undefined) break;
    const next = parse(hop);
    if (!next) return hop;
    current = next;
  }
  return current.toString();
}

/**
 * The network an address counts as for rate limits: an IPv4 address alone; an IPv6 address's /64,
 * the smallest allocation a subscriber or host gets, so that walking through its 2⁶⁴ addresses buys
 * no fresh attempts. Anything else (an unparsed hop, `unknown`) is itself.
 */
export function clientNetwork(address: string): string {
  const parsed = parse(address);
  if (!(parsed instanceof ipaddr.IPv6)) return parsed?.toString() ?? address;
  return `${new ipaddr.IPv6(parsed.parts.map((part, i) => (i < 4 ? part : 0))).toString()}/64`;
}

/** What a proxy says about the original request: believed only from a trusted proxy. */
const PROXY_HEADERS = ['x-forwarded-host', 'x-forwarded-proto', 'forwarded'] as const;

/**
 * Sets CLIENT_ADDRESS_HEADER and CLIENT_NETWORK_HEADER on the request, replacing any values the
 * client sent. A peer that is
 * not a trusted proxy cannot speak for a proxy either: its X-Forwarded-Host / -Proto (read by the
 * CSRF origin check and the cookie's Secure flag) are dropped, and the web app sees the request
 * as it arrived.
 */
export function stampClientAddress(req: IncomingMessage, trusted = NO_PROXIES): void {
  const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
  req.headers[CLIENT_NETWORK_HEADER] = clientNetwork(address);
  const peer = req.socket.remoteAddress === undefined ? undefined : parse(req.socket.remoteAddress);
  if (!peer || !trusted.trusts(peer)) for (const name of PROXY_HEADERS) delete req.headers[name];
}
