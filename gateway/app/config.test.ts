import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('configuration', () => {
  it('runs embedded with no variables set', () => {
    const config = parseConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.mongoUrl).toBeUndefined();
    expect(config.dataDir).toBe('./.bazaary');
    expect(config.orders).toEqual({ platformFeeBps: 0, releaseAfterMs: 7 * 86_400_000, shipByMs: 3 * 86_400_000, stepRetryMs: 30_000 });
  });

  it('reads durations, numbers and flags', () => {
    const config = parseConfig({ ESCROW_RELEASE_AFTER: '36h', PLATFORM_FEE_BPS: '250', JOURNAL_BATCHING: 'false', SNAPSHOT_EVERY: '7' });
    expect(config.orders.releaseAfterMs).toBe(36 * 3_600_000);
    expect(config.orders.platformFeeBps).toBe(250);
    expect(config.journal.batching).toBe(false);
    expect(config.snapshotEvery).toBe(7);
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['MONGO_URL', 'not a url'],
    ['SNAPSHOT_EVERY', 'often'],
    ['PLATFORM_FEE_BPS', '10001'],
    ['ESCROW_RELEASE_AFTER', 'a week'],
    ['LOG_LEVEL', 'loud'],
    ['JOURNAL_BATCHING', 'yes'],
    ['DATABASE_POOL', '0'],
    ['DATABASE_GATEWAY_POOL', 'many'],
  ])('stops with a message naming %s when it is %j', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`^invalid configuration: ${name} `));
  });

  it('takes a bootstrap admin only with both its email and password', () => {
    expect(parseConfig({ ADMIN_EMAIL: 'Ops@Example.com', ADMIN_PASSWORD: 'correct horse battery' }).gateway.bootstrapAdmin).toEqual({
      email: 'ops@example.com',
      password: 'correct horse battery',
    });
    expect(parseConfig({}).gateway.bootstrapAdmin).toBeUndefined();
    expect(() => parseConfig({ ADMIN_EMAIL: 'ops@example.com' })).toThrow(/^invalid configuration: ADMIN_PASSWORD must be set together with ADMIN_EMAIL/);
    expect(() => parseConfig({ ADMIN_PASSWORD: 'correct horse battery' })).toThrow(/^invalid configuration: ADMIN_EMAIL must be set together/);
    expect(() => parseConfig({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD must be at least 12 characters/);
    expect(() => parseConfig({ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'correct horse battery' })).toThrow(/ADMIN_EMAIL must be an email address/);
  });

  it('gives PostgreSQL a small runtime pool and a gateway pool of its own, each settable', () => {
    expect(parseConfig({}).databasePools).toEqual({ runtime: 2, gateway: 8 });
    expect(parseConfig({ DATABASE_POOL: '4', DATABASE_GATEWAY_POOL: '16' }).databasePools).toEqual({ runtime: 4, gateway: 16 });
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});

describe('ANALYTICS_CRON', () => {
  it('is checked with the cron parser when the configuration is read', () => {
    expect(parseConfig({ ANALYTICS_CRON: '30 2 * * 1-5' }).analytics.cron).toBe('30 2 * * 1-5');
    expect(parseConfig({}).analytics.cron).toBe('0 0 * * *');
    expect(() => parseConfig({ ANALYTICS_CRON: '0 0 31 2 *' })).toThrow(/ANALYTICS_CRON.*never matches/);
    expect(() => parseConfig({ ANALYTICS_CRON: 'every night' })).toThrow(/ANALYTICS_CRON.*5 fields/);
  });
});

describe('cluster mode (issue #16)', () => {
  const postgres = 'postgres://postgres@127.0.0.1:5432/test';
  const secret = 'a-cluster-secret-of-32-characters!';

  it('is off unless CLUSTER_NODE_ID is set', () => {
    expect(parseConfig({}).cluster).toBeUndefined();
    expect(parseConfig({ DATABASE_URL: postgres, CLUSTER_SHARDS: '16' }).cluster).toBeUndefined();
  });

  it('reads the node, shards, lease TTL, internal port, address and secret, with defaults', () => {
    expect(parseConfig({ DATABASE_URL: postgres, CLUSTER_NODE_ID: 'node-a', CLUSTER_SECRET: secret, PORT: '3100' }).cluster).toMatchObject({
      nodeId: 'node-a',
      shardCount: 256,
      leaseTtlMs: 5_000,
      internalPort: 3001,
      address: expect.stringMatching(/^http:\/\/.+:3001$/),
      secret,
    });
    const config = parseConfig({ DATABASE_URL: postgres, CLUSTER_NODE_ID: 'b', CLUSTER_SECRET: secret, CLUSTER_SHARDS: '16', CLUSTER_LEASE_TTL_MS: '1500', CLUSTER_PORT: '7001', CLUSTER_ADDRESS: 'http://10.0.0.2:7001' });
    expect(config.cluster).toEqual({ nodeId: 'b', shardCount: 16, leaseTtlMs: 1_500, internalPort: 7001, address: 'http://10.0.0.2:7001', secret });
  });

  it('needs PostgreSQL and a secret, and refuses PGlite and MongoDB by name', () => {
    expect(() => parseConfig({ CLUSTER_NODE_ID: 'a', CLUSTER_SECRET: secret })).toThrow(/CLUSTER_NODE_ID needs DATABASE_URL/);
    expect(() => parseConfig({ CLUSTER_NODE_ID: 'a', CLUSTER_SECRET: secret, DATABASE_URL: postgres, MONGO_URL: 'mongodb://localhost/x' })).toThrow(/CLUSTER_NODE_ID cannot be used with MONGO_URL/);
    expect(() => parseConfig({ CLUSTER_NODE_ID: 'a', DATABASE_URL: postgres })).toThrow(/CLUSTER_NODE_ID needs CLUSTER_SECRET/);
  });

  it.each([
    ['CLUSTER_NODE_ID', 'has spaces'],
    ['CLUSTER_SHARDS', '0'],
    ['CLUSTER_SHARDS', '65537'],
    ['CLUSTER_LEASE_TTL_MS', 'soon'],
    ['CLUSTER_LEASE_TTL_MS', '50'],
    ['CLUSTER_ADDRESS', 'tcp://x'],
    ['CLUSTER_PORT', '0'],
    ['CLUSTER_SECRET', 'too-short'],
  ])('stops with a message naming %s when it is %j', (name, value) => {
    expect(() => parseConfig({ DATABASE_URL: postgres, CLUSTER_NODE_ID: 'a', CLUSTER_SECRET: secret, [name]: value })).toThrow(new RegExp(`^invalid configuration: ${name} `));
  });
});

describe('TRUSTED_PROXIES', () => {
  it('trusts nobody by default, and when empty', () => {
    expect(parseConfig({}).gateway.trustedProxies).toEqual([]);
    expect(parseConfig({ TRUSTED_PROXIES: '' }).gateway.trustedProxies).toEqual([]);
  });

  it('reads a comma-separated list of IPv4 and IPv6 addresses and CIDR ranges', () => {
    expect(parseConfig({ TRUSTED_PROXIES: '10.0.0.5, 172.16.0.0/12,::1,fd00::/8' }).gateway.trustedProxies).toEqual(['10.0.0.5', '172.16.0.0/12', '::1', 'fd00::/8']);
  });

  it.each(['10.0.0.300', 'lb.internal', '10.0.0.0/40', '10.0.0.1,,10.0.0.2', '10.0.0.1,', '::/200', '10.0.0.1 10.0.0.2'])('stops the start, naming the variable and the bad entry, for %j', (value) => {
    expect(() => parseConfig({ TRUSTED_PROXIES: value })).toThrow(ConfigError);
    expect(() => parseConfig({ TRUSTED_PROXIES: value })).toThrow(/^invalid configuration: TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges .* is neither/);
  });

  it('names the entry it could not read', () => {
    expect(() => parseConfig({ TRUSTED_PROXIES: '10.0.0.1, lb.internal' })).toThrow(/"lb\.internal" is neither/);
  });
});
