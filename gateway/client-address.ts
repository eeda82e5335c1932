/**
 * Which address a request comes from, for the per-IP limits and the logs. Behind a load balancer
 * every socket's peer is the balancer, so the client's own address is read from X-Forwarded-For,
 * but only as far as the proxies we trust (TRUSTED_PROXIES) vouch for it, the way nginx's realip
 * module (`real_ip_recursive on`) and Express's `trust proxy` read it:
 *
 * - A peer we do not trust is the client, whatever X-Forwarded-For it sends: anyone can write
 *   that header, so believing it from anyone would let a client pick its own rate-limit key.
 * - From a trusted peer, the header is walked from the right (each proxy appends the address it
 *   saw), trusted addresses are skipped, and the first untrusted one is the client. Entries to its
 *   left were written by the client or by proxies we know nothing of, so they are never read.
 * - An entry that is not an IP address (an `unknown`, a port, garbage) ends the walk: the last
 *   address we could vouch for is the best we know.
 *
 * Addresses come back in one canonical text per address (IPv6 compressed and lower case, and an
 * IPv4-mapped IPv6 address, which uWS reports for IPv4 peers on a dual-stack socket, as plain
 * IPv4), so that one client is one rate-limit key however its address was written.
 */
import { BlockList, isIP } from 'node:net';

/**
 * The most X-Forwarded-For entries one request is walked through. Real chains are two or three
 * proxies long; an address behind more trusted hops than this is not looked for, and the
 * deepest one reached stands for the client (it is still an address a trusted proxy reported).
 */
export const forwardedHopsMax = 16;

type Family = 'ipv4' | 'ipv6';

/** One TRUSTED_PROXIES entry: an address, or a network in CIDR notation. */
export interface ProxyEntry {
  readonly address: string;
  readonly family: Family;
  /** 32 (IPv4) or 128 (IPv6) for a single address. */
  readonly prefixLength: number;
}

/** The set of proxies whose X-Forwarded-For entries are believed. */
export interface TrustedProxies {
  /** No proxy is trusted: X-Forwarded-For is never read. */
  readonly empty: boolean;
  /** Takes an address in canonical form (`canonicalAddress`). */
  has(address: string): boolean;
}

const mappedIpv4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * The canonical text of an IP address, or null when `text` is not one. IPv6 goes through the URL
 * parser, which writes it in its one compressed lower-case form (RFC 5952); a zone id (`%eth0`)
 * is refused, as no proxy reports one.
 */
export function canonicalAddress(text: string): string | null {
  const trimmed = text.trim();
  const version = isIP(trimmed);
  if (version === 4) return trimmed;
  if (version !== 6) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://[${trimmed}]/`).hostname;
  } catch {
    return null;
  }
  const compressed = hostname.slice(1, -1);
  const mapped = mappedIpv4.exec(compressed);
  if (mapped === null) return compressed;
  const high = Number.parseInt(mapped[1]!, 16);
  const low = Number.parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

const familyOf = (address: string): Family => (isIP(address) === 4 ? 'ipv4' : 'ipv6');

/** Parses `10.0.0.1`, `172.16.0.0/12`, `fd00::/8` or `::1`; null when it is none of these. */
export function parseProxyEntry(text: string): ProxyEntry | null {
  const [addressText = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;
  const address = canonicalAddress(addressText);
  if (address === null) return null;
  const family = familyOf(address);
  const fullLength = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { address, family, prefixLength: fullLength };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  // `::ffff:10.0.0.0/104` names IPv4 addresses, which are kept as IPv4: its prefix loses the 96
  // bits of the mapping.
  const writtenAsIpv6 = isIP(addressText.trim()) === 6;
  const prefixLength = Number(prefixText) - (writtenAsIpv6 && family === 'ipv4' ? 96 : 0);
  if (prefixLength < 0 || prefixLength > fullLength) return null;
  return { address, family, prefixLength };
}

/** Builds the set from entries that `parseProxyEntry` accepts (the configuration checked them). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const text of entries) {
    const entry = parseProxyEntry(text);
    if (entry === null) throw new Error(`not an IP address or CIDR range: ${JSON.stringify(text)}`);
    if (entry.prefixLength === (entry.family === 'ipv4' ? 32 : 128)) list.addAddress(entry.address, entry.family);
    else list.addSubnet(entry.address, entry.prefixLength, entry.family);
  }
  return {
    empty: entries.length === 0,
    has: (address) => list.check(address, familyOf(address)),
  };
}

/**
 * The client's address: the socket's peer, or, when the peer is a trusted proxy, the nearest
 * untrusted address in X-Forwarded-For (see the top of this file). `forwardedFor` is the header's
 * lines joined by commas, in the order they came. A peer that is not an IP address (it never is
 * from uWS) is returned as it came and never trusted.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  const peerAddress = canonicalAddress(peer);
  if (peerAddress === null) return peer;
  if (forwardedFor === undefined || trusted.empty || !trusted.has(peerAddress)) return peerAddress;
  const hops = forwardedFor.split(',');
  const lastHop = Math.max(0, hops.length - forwardedHopsMax);
  let nearest = peerAddress;
  for (let index = hops.length - 1; index >= lastHop; index -= 1) {
    const hop = canonicalAddress(hops[index] ?? '');
    if (hop === null) return nearest;
    if (!trusted.has(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}
