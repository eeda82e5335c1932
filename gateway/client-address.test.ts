import { describe, expect, it } from 'vitest';
import { canonicalAddress, clientAddress, forwardedHopsMax, parseProxyEntry, trustedProxies } from './client-address.ts';

const nobody = trustedProxies([]);
const balancer = trustedProxies(['10.0.0.2']);
const network = trustedProxies(['172.16.0.0/12', 'fd00::/8']);

describe('clientAddress', () => {
  it('is the socket peer when nobody is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.7', undefined, nobody)).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7', '198.51.100.1', nobody)).toBe('203.0.113.7');
  });

  it('ignores a header sent by an untrusted peer (a client cannot choose its own address)', () => {
    expect(clientAddress('203.0.113.7', '10.0.0.2', balancer)).toBe('203.0.113.7');
    expect(clientAddress('203.0.113.7', '198.51.100.1, 10.0.0.2', balancer)).toBe('203.0.113.7');
  });

  it('takes the forwarded address from a trusted peer', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.1', balancer)).toBe('198.51.100.1');
  });

  it('is the trusted peer itself when it forwards no header', () => {
    expect(clientAddress('10.0.0.2', undefined, balancer)).toBe('10.0.0.2');
  });

  it('walks a chain from the right, skipping trusted proxies, to the first untrusted address', () => {
    expect(clientAddress('172.18.0.3', '198.51.100.1, 172.20.0.9, 172.18.0.4', network)).toBe('198.51.100.1');
  });

  it('never reads past the first untrusted address, so what a client wrote to its left is not believed', () => {
    expect(clientAddress('10.0.0.2', '1.1.1.1, 198.51.100.1', balancer)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', '10.0.0.2, 198.51.100.1', balancer)).toBe('198.51.100.1');
  });

  it('is the leftmost address when every hop is trusted', () => {
    expect(clientAddress('172.18.0.3', '172.18.0.9, 172.18.0.4', network)).toBe('172.18.0.9');
  });

  it('stops at a malformed entry and keeps the last address it could vouch for', () => {
    expect(clientAddress('10.0.0.2', 'unknown', balancer)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '', balancer)).toBe('10.0.0.2');
    expect(clientAddress('172.18.0.3', '198.51.100.1, 198.51.100.2:443, 172.18.0.4', network)).toBe('172.18.0.4');
    expect(clientAddress('172.18.0.3', '198.51.100.1, , 172.18.0.4', network)).toBe('172.18.0.4');
    expect(clientAddress('172.18.0.3', '198.51.100.1, [2001:db8::1], 172.18.0.4', network)).toBe('172.18.0.4');
    expect(clientAddress('172.18.0.3', '198.51.100.1,fe80::1%eth0', network)).toBe('172.18.0.3');
    // A malformed entry left of the client is never reached.
    expect(clientAddress('10.0.0.2', 'garbage, 198.51.100.1', balancer)).toBe('198.51.100.1');
  });

  it('handles IPv6 peers and entries, in one canonical form', () => {
    expect(clientAddress('fd00::1', '2001:DB8:0:0::1', network)).toBe('2001:db8::1');
    expect(clientAddress('fd12:3456::1', '2001:db8::2, fd00::9', network)).toBe('2001:db8::2');
    expect(clientAddress('2001:db8::1', '198.51.100.1', network)).toBe('2001:db8::1');
    expect(clientAddress('0000:0000:0000:0000:0000:0000:0000:0001', undefined, nobody)).toBe('::1');
  });

  it('reads an IPv4-mapped IPv6 peer or entry as its IPv4 address', () => {
    // uWS on a dual-stack socket reports an IPv4 peer in full IPv6 form.
    expect(clientAddress('0000:0000:0000:0000:0000:ffff:0a00:0002', '198.51.100.1', balancer)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:10.0.0.2', '::ffff:198.51.100.1', balancer)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:203.0.113.7', '198.51.100.1', balancer)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:172.18.0.3', '198.51.100.1, ::ffff:172.18.0.4', network)).toBe('198.51.100.1');
  });

  it('matches peers and hops against CIDR ranges', () => {
    expect(clientAddress('172.31.255.254', '198.51.100.1', network)).toBe('198.51.100.1');
    expect(clientAddress('172.32.0.1', '198.51.100.1', network)).toBe('172.32.0.1');
    expect(clientAddress('172.15.255.255', '198.51.100.1', network)).toBe('172.15.255.255');
    expect(clientAddress('fdff:ffff::1', '198.51.100.1', network)).toBe('198.51.100.1');
    expect(clientAddress('fe00::1', '198.51.100.1', network)).toBe('fe00::1');
  });

  it(`walks at most ${forwardedHopsMax} hops, then takes the deepest trusted one it reached`, () => {
    const trustedHops = Array.from({ length: forwardedHopsMax + 4 }, (_, index) => `172.18.1.${index}`);
    const header = ['198.51.100.1', ...trustedHops].join(', ');
    expect(clientAddress('172.18.0.3', header, network)).toBe(trustedHops[4]);
    expect(clientAddress('172.18.0.3', ['198.51.100.1', ...trustedHops.slice(0, forwardedHopsMax - 1)].join(','), network)).toBe('198.51.100.1');
  });

  it('returns a peer that is not an IP address as it came, and trusts it never', () => {
    expect(clientAddress('', '198.51.100.1', trustedProxies(['0.0.0.0/0', '::/0']))).toBe('');
  });
});

describe('parseProxyEntry', () => {
  it.each([
    ['10.0.0.1', { address: '10.0.0.1', family: 'ipv4', prefixLength: 32 }],
    [' 172.16.0.0/12 ', { address: '172.16.0.0', family: 'ipv4', prefixLength: 12 }],
    ['0.0.0.0/0', { address: '0.0.0.0', family: 'ipv4', prefixLength: 0 }],
    ['::1', { address: '::1', family: 'ipv6', prefixLength: 128 }],
    ['FD00::/8', { address: 'fd00::', family: 'ipv6', prefixLength: 8 }],
    ['::ffff:10.0.0.1', { address: '10.0.0.1', family: 'ipv4', prefixLength: 32 }],
    ['::ffff:10.0.0.0/104', { address: '10.0.0.0', family: 'ipv4', prefixLength: 8 }],
  ])('reads %j', (text, entry) => {
    expect(parseProxyEntry(text)).toEqual(entry);
  });

  it.each(['', 'localhost', '10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/8/8', '::/129', '::ffff:10.0.0.0/95', '[::1]', '10.0.0.1:80', 'fe80::1%eth0'])(
    'refuses %j',
    (text) => {
      expect(parseProxyEntry(text)).toBeNull();
    },
  );
});

describe('canonicalAddress', () => {
  it('writes one address one way', () => {
    expect(canonicalAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalAddress('::FFFF:7F00:1')).toBe('127.0.0.1');
    expect(canonicalAddress(' 192.0.2.1 ')).toBe('192.0.2.1');
    expect(canonicalAddress('192.0.2.1:80')).toBeNull();
  });
});

describe('trustedProxies', () => {
  it('refuses an entry the configuration would have refused (a bug, not a bad value)', () => {
    expect(() => trustedProxies(['10.0.0.0/33'])).toThrow(/not an IP address or CIDR range/);
  });
});
