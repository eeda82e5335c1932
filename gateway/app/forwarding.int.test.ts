/**
 * Forwarding between cluster nodes (issue #16) on a real PostgreSQL server (DATABASE_URL): nodes
 * in one process on one fresh database, 16 shards, leases of 1.5 s, each with its internal
 * endpoint on a free loopback port. A command sent to the wrong node runs once at the owner (and
 * once again with the same id changes nothing); a checkout whose actors are spread over both
 * nodes completes without waiting for a step retry, and the ledger audit is clean; a forward to a
 * stale owner is answered 421 and the sender finds the new one; the internal endpoint refuses a
 * request without the secret or with a wrong one and runs nothing; an owner that is down gives
 * `unavailable` (503), never a 500. Reads: an inspect of the other node's wallet returns its
 * balance; and over real HTTP, two gateways as two nodes: a checkout POSTed to the node that does
 * not own the checkout gets its final 201 on the first try (its wait for the settled checkout runs
 * at the owner), and GET /api/wallet on the node that does not own the wallet shows its balance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { checkoutKey, orderKey, sellerKey, walletKey } from '../../actors/keys.ts';
import { scopedCheckoutId } from '../../persistence/projections/readmodels/order-queries.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { freePort } from '../../persistence/adapters/testing/free-port.ts';
import { createFreshDatabase, type FreshDatabase } from '../../persistence/adapters/testing/fresh-database.ts';
import { auditLedger } from '../../persistence/projections/readmodels/audit.ts';
import { shardOf } from '../../persistence/cluster/shards.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { eventually } from '../../runtime/testing/controlled-journal.ts';
import { clusterSecretHeader, forwardPath } from '../cluster/internal-endpoint.ts';
import { failureStatus } from '../errors.ts';
import { checkout } from './commerce.ts';
import { parseConfig } from './config.ts';
import { startSystem, type BazaarySystem } from './system.ts';
import { clusterNodeEnv } from '../testing/cluster-env.ts';

const databaseUrl = process.env['DATABASE_URL'] ?? '';
if (databaseUrl === '') console.warn('forwarding.int.test.ts skipped: DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/test)');

const shardCount = 16;
const leaseTtlMs = 1_500;
const stepRetryMs = 10_000;
const secret = 'forwarding-test-secret-of-32-chars!';

const ownedBy = (system: BazaarySystem): number[] => system.cluster?.ownedShards() ?? [];
const serves = (system: BazaarySystem, key: string): boolean => ownedBy(system).includes(shardOf(key, shardCount));

/** The first `${prefix}<n>` whose key(s) `fits` accepts. */
function idWhere(prefix: string, fits: (id: string) => boolean): string {
  for (let index = 0; index < 100_000; index += 1) if (fits(`${prefix}${index}`)) return `${prefix}${index}`;
  throw new Error(`no id for ${prefix}`);
}

function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

describe.skipIf(databaseUrl === '')('forwarding between cluster nodes on one PostgreSQL', () => {
  let database: FreshDatabase;
  let dataDir: string;
  const systems: BazaarySystem[] = [];
  let a: BazaarySystem;
  let b: BazaarySystem;

  const startNode = async (node: string): Promise<BazaarySystem> => {
    const port = await freePort();
    const config = parseConfig({
      ...clusterNodeEnv({ databaseUrl: database.url, node, shards: shardCount, leaseTtlMs, port, secret }),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      STEP_RETRY_AFTER: `${stepRetryMs}ms`,
    });
    const system = await startSystem(config, { logger: silentLogger });
    systems.push(system);
    return system;
  };

  /** Every shard owned once, by these nodes, and every cache naming the owner. */
  const settledOn = (nodes: readonly BazaarySystem[]) => () => {
    const owned = nodes.flatMap(ownedBy);
    if (owned.length !== shardCount || new Set(owned).size !== shardCount || nodes.some((node) => ownedBy(node).length === 0)) return false;
    return nodes.every((viewer) => nodes.every((owner) => ownedBy(owner).every((shard) => viewer.cluster?.ownerOf(keyIn(shard))?.node === owner.cluster?.node)));
  };
  const keyIn = (shard: number) => walletKey(idWhere('probe-', (id) => shardOf(walletKey(id), shardCount) === shard));

  beforeAll(async () => {
    database = await createFreshDatabase(databaseUrl, 'forwarding');
    dataDir = await mkdtemp(join(tmpdir(), 'bazaary-forwarding-'));
    a = await startNode('a');
    b = await startNode('b');
    await eventually(settledOn([a, b]), 6 * leaseTtlMs);
  }, 30_000);

  afterAll(async () => {
    for (const system of systems) await system.stop().catch(() => undefined);
    await database?.drop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs a command sent to the wrong node once at the owner, and a repeat of it changes nothing', { timeout: 30_000 }, async () => {
    const onB = idWhere('fwd-b-', (id) => serves(b, walletKey(id)));
    const deposit = { type: 'Deposit', commandId: 'forwarded-1', amountMinor: 250 } as const;
    const first = await a.wallets.ask(onB, deposit);
    expect(first).toMatchObject({ ok: true, duplicate: false, state: { balanceMinor: 250 } });
    const again = await a.wallets.ask(onB, deposit);
    expect(again).toMatchObject({ ok: true, duplicate: true, state: { balanceMinor: 250 } });
    // The actor lives on B only; the journal holds the deposit once.
    expect(a.runtime.isResident(walletKey(onB))).toBe(false);
    expect(b.runtime.isResident(walletKey(onB))).toBe(true);
    const entries = await b.stores.journal.read(walletKey(onB), 0, 100);
    expect(entries.filter((entry) => entry.commandId === deposit.commandId)).toHaveLength(1);
    expect(a.runtime.forwardStats()?.outcomes.answered).toBeGreaterThanOrEqual(2);

    // Forwarded vs local, sequential asks from A (printed for the README and the report).
    const onA = idWhere('local-a-', (id) => serves(a, walletKey(id)));
    const timed = async (id: string, label: string) => {
      const samples: number[] = [];
      for (let index = 0; index < 100; index += 1) {
        const startedAt = performance.now();
        const result = await a.wallets.ask(id, { type: 'Deposit', commandId: `${label}-${index}`, amountMinor: 1 });
        samples.push(performance.now() - startedAt);
        expect(result.ok).toBe(true);
      }
      return { p50: percentile(samples, 0.5).toFixed(2), p99: percentile(samples, 0.99).toFixed(2) };
    };
    const local = await timed(onA, 'local');
    const forwarded = await timed(onB, 'forwarded');
    console.info(`forwarding.int.test: 100 sequential deposits from node a, ms: local p50 ${local.p50} p99 ${local.p99}; forwarded p50 ${forwarded.p50} p99 ${forwarded.p99}`);
  });

  it('completes a checkout spread over both nodes without waiting for a step retry, with a clean ledger', { timeout: 30_000 }, async () => {
    // Two sellers, one per node; the buyer's wallet on B; the checkout on A; its two orders split.
    const sellerOnA = idWhere('sa-', (id) => serves(a, sellerKey(id)) && serves(a, walletKey(id)) === false);
    const sellerOnB = idWhere('sb-', (id) => serves(b, sellerKey(id)));
    const buyer = idWhere('buyer-', (id) => serves(b, walletKey(id)));
    // Orders are `<checkoutId>-<n>` by sorted seller id: sa-… gets -1, sb-… gets -2.
    const checkoutId = idWhere('co-', (id) => serves(a, checkoutKey(id)) && serves(b, orderKey(`${id}-1`)) && serves(a, orderKey(`${id}-2`)));
    for (const [sellerId, productId] of [[sellerOnA, 'lamp'], [sellerOnB, 'mug']] as const) {
      expect(await a.sellers.ask(sellerId, { type: 'RegisterSeller', commandId: 'register', name: sellerId, email: `${sellerId}@example.test` })).toMatchObject({ ok: true });
      const fields = { title: productId, description: '', priceMinor: 1_500, stock: 5, category: 'test' };
      expect(await a.sellers.ask(sellerId, { type: 'CreateProduct', commandId: `create-${productId}`, productId, fields })).toMatchObject({ ok: true });
    }
    expect(await a.wallets.ask(buyer, { type: 'Deposit', commandId: 'fund', amountMinor: 10_000 })).toMatchObject({ ok: true });

    const startedAt = performance.now();
    const lines = [{ sellerId: sellerOnA, productId: 'lamp', qty: 1 }, { sellerId: sellerOnB, productId: 'mug', qty: 2 }];
    const result = await checkout(a, { checkoutId, buyerId: buyer, lines }, 20_000);
    const elapsedMs = performance.now() - startedAt;
    expect(result).toMatchObject({ ok: true, orderIds: [`${checkoutId}-1`, `${checkoutId}-2`] });
    console.info(`forwarding.int.test: checkout over two nodes took ${elapsedMs.toFixed(0)} ms (step retry ${stepRetryMs} ms)`);
    // No stall: a step that waited for its retry timer (or even the saga's backoff) would take seconds.
    expect(elapsedMs).toBeLessThan(stepRetryMs / 4);

    expect(await b.wallets.inspect(buyer)).toMatchObject({ ok: true, state: { balanceMinor: 10_000 - 4_500 } });
    expect(await b.orders.inspect(`${checkoutId}-1`)).toMatchObject({ ok: true, state: { status: 'PAID' } });
    expect(await a.orders.inspect(`${checkoutId}-2`)).toMatchObject({ ok: true, state: { status: 'PAID' } });
    await eventually(() => [a, b].every((node) => node.runtime.sagaStats().effectsInFlight + node.runtime.sagaStats().effectsQueued === 0), 10_000);
    const audit = await auditLedger(a.stores.journal, { asOfMs: a.clock.now() });
    expect(audit.anomalies).toEqual([]);
    expect(audit.totals.driftMinor).toBe('0');
    expect(audit.ok).toBe(true);
  });

  it('inspects a wallet on the other node and returns its durable balance', { timeout: 30_000 }, async () => {
    const onB = idWhere('read-b-', (id) => serves(b, walletKey(id)));
    expect(await b.wallets.ask(onB, { type: 'Deposit', commandId: 'read-fund', amountMinor: 1_234 })).toMatchObject({ ok: true });
    const before = a.runtime.forwardStats()?.readOutcomes.answered ?? 0;
    expect(await a.wallets.inspect(onB)).toMatchObject({ ok: true, state: { balanceMinor: 1_234 } });
    expect(a.runtime.isResident(walletKey(onB))).toBe(false);
    expect((a.runtime.forwardStats()?.readOutcomes.answered ?? 0) - before).toBe(1);

    // Forwarded vs local inspects, sequential from A (printed for the README and the report).
    const onA = idWhere('read-a-', (id) => serves(a, walletKey(id)));
    expect(await a.wallets.ask(onA, { type: 'Deposit', commandId: 'read-fund', amountMinor: 1 })).toMatchObject({ ok: true });
    const timed = async (id: string) => {
      const samples: number[] = [];
      for (let index = 0; index < 100; index += 1) {
        const startedAt = performance.now();
        expect((await a.wallets.inspect(id)).ok).toBe(true);
        samples.push(performance.now() - startedAt);
      }
      return { p50: percentile(samples, 0.5).toFixed(2), p99: percentile(samples, 0.99).toFixed(2) };
    };
    const local = await timed(onA);
    const forwarded = await timed(onB);
    console.info(`forwarding.int.test: 100 sequential inspects from node a, ms: local p50 ${local.p50} p99 ${local.p99}; forwarded p50 ${forwarded.p50} p99 ${forwarded.p99}`);
  });

  it('refuses a forward without the secret (401) or with a wrong one (403), and runs nothing', { timeout: 30_000 }, async () => {
    const onB = idWhere('guarded-', (id) => serves(b, walletKey(id)));
    const address = b.config.cluster?.address ?? '';
    const body = JSON.stringify({ key: walletKey(onB), command: { type: 'Deposit', commandId: 'sneaky', amountMinor: 1_000_000 }, epochSeen: null, deadlineMs: 2_000 });
    const send = (headers: Record<string, string>) => fetch(new URL(forwardPath, address), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await send({})).status).toBe(401);
    expect((await send({ [clusterSecretHeader]: `${secret}x` })).status).toBe(403);
    expect((await send({ [clusterSecretHeader]: secret.slice(0, -1) })).status).toBe(403);
    expect(await b.stores.journal.read(walletKey(onB), 0, 10)).toEqual([]);
    expect(b.runtime.isResident(walletKey(onB))).toBe(false);
    // The right secret runs it, for contrast.
    const allowed = await send({ [clusterSecretHeader]: secret });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ ok: true, events: [{ type: 'Deposited' }] });
  });

  it('resends to the new owner after a stale owner answers 421', { timeout: 60_000 }, async () => {
    // A's lease cache stops moving; C joins and takes some of B's shards.
    await a.cluster?.pauseLoop();
    const c = await startNode('c');
    const movedToC = () => ownedBy(c).find((shard) => a.cluster?.ownerOf(keyIn(shard))?.node === 'b');
    await eventually(() => movedToC() !== undefined, 6 * leaseTtlMs);
    const shard = movedToC() ?? -1;
    const id = idWhere('moved-', (candidate) => shardOf(walletKey(candidate), shardCount) === shard);
    expect(a.cluster?.ownerOf(walletKey(id))?.node).toBe('b');
    const before = a.runtime.forwardStats();
    expect(await a.wallets.ask(id, { type: 'Deposit', commandId: 'after-move', amountMinor: 40 })).toMatchObject({ ok: true, state: { balanceMinor: 40 } });
    const after = a.runtime.forwardStats();
    expect((after?.misdirected ?? 0) - (before?.misdirected ?? 0)).toBeGreaterThanOrEqual(1);
    expect(c.runtime.isResident(walletKey(id))).toBe(true);
    expect(a.cluster?.ownerOf(walletKey(id))?.node).toBe('c');

    // Back to A and B for the last test: C leaves cleanly, A's loop runs again.
    await c.stop();
    systems.splice(systems.indexOf(c), 1);
    await a.cluster?.resumeLoop();
    await eventually(settledOn([a, b]), 8 * leaseTtlMs);
  });

  it('answers unavailable (503), never a 500, when the owner does not answer', { timeout: 30_000 }, async () => {
    const onB = idWhere('down-', (id) => serves(b, walletKey(id)));
    // B's internal port goes away (every connection closed) while its leases stay live.
    b.internal?.close();
    const startedAt = performance.now();
    const result = await a.wallets.ask(onB, { type: 'Deposit', commandId: 'owner-down', amountMinor: 1 });
    expect(result).toMatchObject({ ok: false, code: 'unavailable' });
    expect(failureStatus(result.ok ? '' : result.code)).toBe(503);
    expect(performance.now() - startedAt).toBeLessThan(a.limits.askTimeoutMs);
    expect(a.runtime.forwardStats()?.outcomes.unavailable).toBeGreaterThanOrEqual(1);
    expect(await b.stores.journal.read(walletKey(onB), 0, 10)).toEqual([]);
  });
});

describe.skipIf(databaseUrl === '')('reads forwarded between two gateways over HTTP', () => {
  let database: FreshDatabase;
  const gateways: TestGateway[] = [];
  let a: TestGateway;
  let b: TestGateway;

  const startGatewayNode = async (node: string): Promise<TestGateway> => {
    const port = await freePort();
    const gateway = await startTestGateway({
      ...clusterNodeEnv({ databaseUrl: database.url, node, shards: shardCount, leaseTtlMs, port, secret }),
      STEP_RETRY_AFTER: `${stepRetryMs}ms`,
      // One signing key for both, as in production: a token one node issued is valid at the other.
      JWT_SECRET: 'forwarding-http-jwt-secret-of-32-chars!',
    });
    gateways.push(gateway);
    return gateway;
  };
  const systemOf = (gateway: TestGateway): BazaarySystem => gateway.gateway.system;
  const servesKey = (gateway: TestGateway, key: string) => serves(systemOf(gateway), key);

  beforeAll(async () => {
    database = await createFreshDatabase(databaseUrl, 'forwarding_http');
    a = await startGatewayNode('a');
    b = await startGatewayNode('b');
    await eventually(() => {
      const owned = [a, b].flatMap((gateway) => ownedBy(systemOf(gateway)));
      return owned.length === shardCount && new Set(owned).size === shardCount && ownedBy(systemOf(a)).length > 0 && ownedBy(systemOf(b)).length > 0;
    }, 6 * leaseTtlMs);
  }, 60_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close().catch(() => undefined);
    await database?.drop();
  });

  it('answers a checkout sent to the node that does not own it 201 on the first try, and shows a wallet on either node', { timeout: 60_000 }, async () => {
    const seller = await a.register('http-seller@example.test', 'SELLER');
    const buyer = await a.register('http-buyer@example.test', 'BUYER');
    const created = await a.call('POST', '/api/products', { token: seller.token, body: { commandId: randomUUID(), title: 'Lamp', description: 'A lamp', priceMinor: 2_500, stock: 5, category: 'home' } });
    expect(created.status).toBe(201);
    expect((await a.call('POST', '/api/wallet/deposit', { token: buyer.token, body: { commandId: 'http-fund', amountMinor: 10_000 } })).status).toBe(200);

    // A checkout id whose checkout actor B serves, sent to A.
    const checkoutId = idWhere(`${randomUUID().slice(0, 8)}-`, (id) => servesKey(b, checkoutKey(scopedCheckoutId(buyer.user.id, id))));
    const startedAt = performance.now();
    const placed = await a.call('POST', '/api/checkout', { token: buyer.token, body: { checkoutId, items: [{ productId: created.body.id, qty: 2 }] } });
    const elapsedMs = performance.now() - startedAt;
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ checkoutId, orderIds: [expect.any(String)] });
    console.info(`forwarding.int.test: an HTTP checkout sent to the node that does not own it answered 201 in ${elapsedMs.toFixed(0)} ms`);
    const key = checkoutKey(scopedCheckoutId(buyer.user.id, checkoutId));
    // It ran at its owner: A never held it and refuses it; B holds it settled (it stopped once at
    // rest, so B loads it to answer).
    expect(systemOf(a).runtime.isResident(key)).toBe(false);
    expect(await systemOf(a).runtime.inspectHere(key)).toMatchObject({ ok: false, code: 'not_owner' });
    expect(await systemOf(b).runtime.inspectHere(key)).toMatchObject({ ok: true, state: { status: 'COMPLETED', orders: [expect.anything()] } });
    expect(systemOf(a).runtime.forwardStats()?.readOutcomes.answered).toBeGreaterThanOrEqual(1);

    // The buyer's wallet is read through whichever node: the one that does not own it forwards.
    const [walletOwner, other] = servesKey(a, walletKey(buyer.user.id)) ? [a, b] : [b, a];
    for (const gateway of [other, walletOwner]) {
      const wallet = await gateway.call('GET', '/api/wallet', { token: buyer.token });
      expect(wallet.status).toBe(200);
      expect(wallet.body).toMatchObject({ balanceMinor: 10_000 - 5_000 });
    }
    expect(systemOf(other).runtime.isResident(walletKey(buyer.user.id))).toBe(false);
  });
});

