import { lookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where webhooks may go: public unicast addresses, plus the hosts, addresses and CIDR ranges of
 * OSPREY_WEBHOOK_ALLOW. Private, loopback, link-local, CGNAT, multicast and reserved addresses
 * are refused otherwise (a webhook URL must not become a way into the internal network).
 */
export class EgressPolicy {
  private readonly hosts = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(allow: readonly string[]) {
    for (const entry of allow) {
      if (entry.includes('/')) this.ranges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const a = ipaddr.process(entry);
        this.ranges.push([a, a.kind() === 'ipv4' ? 32 : 128]);
      } else this.hosts.add(entry.toLowerCase());
    }
  }

  /** Why a connection to `address` (reached through `hostname`) is refused, or undefined. */
  refusal(hostname: string, address: string): string | undefined {
    if (this.hosts.has(hostname.toLowerCase().replace(/^\[|\]$/g, ''))) return undefined;
    const ip = ipaddr.process(address);
    const range = ip.range();
    if (range === 'unicast') return undefined;
    if (this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits))) {
      return undefined;
    }
    return `${hostname} resolves to ${address} (${range}); webhooks to private, loopback and link-local addresses are refused unless listed in OSPREY_WEBHOOK_ALLOW`;
  }

  /** The refusal for a URL whose host is an address literal (no lookup happens for those). */
  literalRefusal(url: URL): string | undefined {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return isIP(host) ? this.refusal(host, host) : undefined;
  }

  /** A `lookup` for http.request that refuses the connection when any address is refused. */
  lookup() {
    return (
      hostname: string,
      options: LookupOptions,
      callback: (
        err: NodeJS.ErrnoException | null,
        address: string | LookupAddress[],
        family?: number,
      ) => void,
    ): void => {
      lookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses) => {
        if (err) return callback(err, '');
        const refused = addresses
          .map((a) => this.refusal(hostname, a.address))
          .find((r) => r !== undefined);
        if (refused) return callback(new EgressRefused(refused), '');
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
  }
}

export class EgressRefused extends Error {
  readonly code = 'EGRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefused';
  }
}
