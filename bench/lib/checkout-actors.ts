/**
 * The checkout benchmark's actor targets (bench/checkout.bench.ts): start a Bazaary system on a
 * fresh data dir, seed the catalog, send checkouts, let the sagas settle, and audit the ledger
 * and the sellers' stock against what callers were told.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SellerState } from '../../actors/seller/seller-messages.ts';
import { auditLedger } from '../../persistence/projections/readmodels/audit.ts';
import { checkout } from '../../gateway/app/commerce.ts';
import { parseConfig } from '../../gateway/app/config.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { startSystem, type BazaarySystem } from '../../gateway/app/system.ts';
import type { CheckoutOutcome, SoldTally } from './closed-loop.ts';
import type { Cart, Catalog } from './checkout-workload.ts';
import { Acknowledged, type AuditRecord, type Target } from './checkout-records.ts';
import { onInterrupt } from './interrupts.ts';
import { forEachConcurrently, sleep } from './pool.ts';

/** How long one client waits for a checkout. Far above any latency seen here; a `timeout` is a finding. */
export const checkoutTimeoutMs = 60_000;
/** Longest wait for sagas to finish after a cell; past it the run fails (work was stuck). */
const settleMaxMs = 60_000;

export interface ActorTarget {
  readonly target: Target;
  readonly system: BazaarySystem;
  readonly acknowledged: Acknowledged;
  close(): Promise<void>;
}

export async function startActors(target: Target, env: Record<string, string>): Promise<ActorTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bazaary-bench-checkout-'));
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  const forgetCleanUp = onInterrupt(removeDataDir);
  try {
    const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
    const system = await startSystem(config, { logger: silentLogger });
    return {
      target,
      system,
      acknowledged: new Acknowledged(),
      async close() {
        try {
          await system.stop();
        } finally {
          await removeDataDir();
          forgetCleanUp();
        }
      },
    };
  } catch (error) {
    await removeDataDir();
    forgetCleanUp();
    throw error;
  }
}

function expectAccepted(result: { readonly ok: boolean; readonly code?: string; readonly message?: string }, what: string): void {
  if (!result.ok) throw new Error(`${what} failed: ${result.code}: ${result.message}`);
}

export async function seedActors(system: BazaarySystem, catalog: Catalog): Promise<void> {
  await forEachConcurrently(catalog.sellerIds.length, 16, async (index) => {
    const sellerId = catalog.sellerIds[index] ?? '';
    const registered = await system.sellers.ask(sellerId, { type: 'RegisterSeller', commandId: 'register', name: sellerId, email: `${sellerId}@example.test` });
    expectAccepted(registered, `registering ${sellerId}`);
    for (const product of catalog.productsBySeller.get(sellerId) ?? []) {
      const fields = { title: product.productId, description: '', priceMinor: product.priceMinor, stock: product.stock, category: 'bench' };
      const created = await system.sellers.ask(sellerId, { type: 'CreateProduct', commandId: `create-${product.productId}`, productId: product.productId, fields });
      expectAccepted(created, `creating ${sellerId}/${product.productId}`);
    }
  });
  await forEachConcurrently(catalog.buyerIds.length, 64, async (index) => {
    const buyerId = catalog.buyerIds[index] ?? '';
    expectAccepted(await system.wallets.ask(buyerId, { type: 'Deposit', commandId: 'fund', amountMinor: catalog.fundingMinor }), `funding ${buyerId}`);
  });
}

export async function sendToActors(system: BazaarySystem, checkoutId: string, cart: Cart): Promise<CheckoutOutcome> {
  const result = await checkout(system, { checkoutId, buyerId: cart.buyerId, lines: cart.lines }, checkoutTimeoutMs);
  return result.ok ? { ok: true, attempts: 1 } : { ok: false, code: result.code };
}

/** Waits until no saga step is running or queued, then lets the projections catch up. */
export async function settleActors(system: BazaarySystem): Promise<number> {
  const startedAt = performance.now();
  for (;;) {
    const stats = system.runtime.sagaStats();
    if (stats.effectsInFlight + stats.effectsQueued === 0) break;
    if (performance.now() - startedAt > settleMaxMs) {
      throw new Error(`sagas still had ${stats.effectsInFlight} steps in flight and ${stats.effectsQueued} queued after ${settleMaxMs} ms`);
    }
    await sleep(10);
  }
  await system.processor.drain();
  return Math.round(performance.now() - startedAt);
}

export async function auditActors(actors: ActorTarget, catalog: Catalog): Promise<AuditRecord> {
  const { system, acknowledged } = actors;
  const audit = await auditLedger(system.stores.journal, { asOfMs: system.clock.now() });
  const problems: string[] = audit.anomalies.slice(0, 20).map((anomaly) => JSON.stringify(anomaly));
  if (audit.totals.driftMinor !== '0') problems.push(`drift ${audit.totals.driftMinor} cents`);
  // A refused or compensated checkout moves money too (debit then refund), so with refusals the
  // ledger may hold more orders than were acknowledged, never fewer.
  if (acknowledged.failures === 0 ? audit.orders !== acknowledged.orders : audit.orders < acknowledged.orders) {
    problems.push(`${audit.orders} orders moved money, ${acknowledged.orders} were acknowledged as paid`);
  }
  if (acknowledged.failures === 0) problems.push(...(await stockProblems(system, catalog, acknowledged.sold)));
  return {
    ok: audit.ok && problems.length === 0,
    driftMinor: audit.totals.driftMinor,
    orders: audit.orders,
    ordersAcknowledged: acknowledged.orders,
    wallets: audit.wallets,
    inFlightMinor: audit.totals.inFlightMinor,
    problems,
  };
}

/** Each seller's stock must be its initial stock less every unit a caller was told it bought. */
async function stockProblems(system: BazaarySystem, catalog: Catalog, sold: SoldTally): Promise<string[]> {
  const problems: string[] = [];
  for (const sellerId of catalog.sellerIds) {
    const inspection = await system.sellers.inspect(sellerId, 30_000);
    if (!inspection.ok) {
      problems.push(`inspecting ${sellerId}: ${inspection.code}`);
      continue;
    }
    const state: SellerState = inspection.state;
    for (const product of catalog.productsBySeller.get(sellerId) ?? []) {
      const stock = state.products[product.productId]?.stock;
      const expected = product.stock - sold.of(sellerId, product.productId);
      if (stock !== expected) problems.push(`${sellerId}/${product.productId}: stock ${stock}, expected ${expected}`);
    }
  }
  return problems;
}
