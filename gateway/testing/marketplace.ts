/**
 * A real Bazaary system on a throwaway PGlite directory and a virtual clock, plus the few
 * steps every marketplace test repeats: a seller with a product, a funded buyer, a checkout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProductFields } from '../../actors/seller/seller-messages.ts';
import { VirtualClock } from '../../runtime/clock.ts';
import { checkout } from '../app/commerce.ts';
import { parseConfig } from '../app/config.ts';
import type { Limits } from '../../runtime/limits.ts';
import { silentLogger } from '../../runtime/logger.ts';
import type { Consumer } from '../../persistence/adapters/consumer.ts';
import { startSystem, type BazaarySystem } from '../app/system.ts';
import { seedPgliteDataDir } from '../../persistence/adapters/testing/pglite-template.ts';

export interface Marketplace {
  readonly system: BazaarySystem;
  readonly clock: VirtualClock;
  readonly dataDir: string;
  seller(sellerId: string, products: Record<string, Partial<ProductFields>>): Promise<void>;
  fund(userId: string, amountMinor: number): Promise<void>;
  buy(checkoutId: string, buyerId: string, lines: { sellerId: string; productId: string; qty: number }[]): ReturnType<typeof checkout>;
  /** Indexes journaled timers, moves the clock, and delivers what is due. */
  advance(byMs: number): Promise<void>;
  /** Lets every saga and projection finish its current work. */
  settle(): Promise<void>;
  restart(): Promise<Marketplace>;
  close(): Promise<void>;
}

export interface MarketplaceOptions {
  readonly env?: Record<string, string>;
  readonly limits?: Partial<Limits>;
  readonly consumers?: () => Consumer[];
  readonly clock?: VirtualClock;
  readonly dataDir?: string;
  /** Where embedded PGlite runs. In-process by default: it starts in half the time of the worker
   *  thread, which has its own contract suite (persistence/adapters/pglite-worker.test.ts). The
   *  proofs pass 'worker', the production default. */
  readonly embedded?: 'worker' | 'in-process';
}

function expectOk(result: { ok: boolean; code?: string; message?: string }, what: string): void {
  if (!result.ok) throw new Error(`${what} failed: ${result.code}: ${result.message}`);
}

export async function openMarketplace(options: MarketplaceOptions = {}): Promise<Marketplace> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bazaary-market-'));
  const clock = options.clock ?? new VirtualClock();
  const config = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env });
  // A copy of a migrated cluster instead of a fresh initdb (pglite-template.ts); a restart
  // reopens the data it has.
  if (config.databaseUrl === undefined) await seedPgliteDataDir(dataDir);
  const system = await startSystem(config, {
    logger: silentLogger,
    clock,
    pollTimers: false,
    consumers: options.consumers?.() ?? [],
    limits: { sagaRetryBaseMs: 5, ...options.limits },
    embedded: options.embedded ?? 'in-process',
  });

  async function settle(): Promise<void> {
    for (let round = 0; round < 50; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const busy = system.runtime.sagaStats().effectsInFlight + system.runtime.sagaStats().effectsQueued;
      await system.processor.drain();
      if (busy === 0) break;
    }
    await system.timers.refresh();
  }

  const market: Marketplace = {
    system,
    clock,
    dataDir,
    async seller(sellerId, products) {
      expectOk(await system.sellers.ask(sellerId, { type: 'RegisterSeller', commandId: 'register', name: sellerId, email: `${sellerId}@example.test` }), 'register');
      for (const [productId, fields] of Object.entries(products)) {
        const full: ProductFields = { title: productId, description: '', priceMinor: 1_000, stock: 10, category: 'misc', ...fields };
        expectOk(await system.sellers.ask(sellerId, { type: 'CreateProduct', commandId: `create-${productId}`, productId, fields: full }), 'create product');
      }
    },
    async fund(userId, amountMinor) {
      expectOk(await system.wallets.ask(userId, { type: 'Deposit', commandId: `fund-${clock.now()}-${amountMinor}-${Math.random()}`, amountMinor }), 'deposit');
    },
    buy(checkoutId, buyerId, lines) {
      return checkout(system, { checkoutId, buyerId, lines }, 30_000);
    },
    async advance(byMs) {
      await settle();
      clock.advance(byMs);
      await system.timers.tick();
      await settle();
      await system.timers.tick();
      await settle();
    },
    settle,
    async restart() {
      await system.stop();
      return openMarketplace({ ...options, clock, dataDir });
    },
    async close() {
      await system.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return market;
}
