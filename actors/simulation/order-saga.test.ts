/**
 * A pure simulation of the order and checkout sagas over the real wallet, seller, order and
 * checkout deciders, wired in memory the way the runtime wires them (entity.ts, saga.ts, the
 * timer scheduler), with no runtime: each command is decided, journaled by command id and
 * evolved; each pending effect is sent to its target and its outcome fed back as a command.
 *
 * The network is hostile: messages arrive in random order, some twice, some replies are lost
 * (a crash between a step and its report), and buyers, sellers and admins act at random while
 * the sagas run. Only messages wake an actor, as in the runtime: a step whose reply was lost is
 * sent again at its saga's next message, which may well be its retry timer. Every run checks
 * money conservation after every message, and the final state once every saga is idle. An
 * attempt of a step that arrives after the step's undo and still takes effect is a failure. So
 * is a checkout that fails while one of its orders shipped, was disputed or completed: sellers
 * try to ship as soon as an order is PAID, and the checkout gate must hold them back. A
 * failure names its seed; rerun one with
 * `ORDER_SAGA_SEED=<seed> npx vitest run actors/simulation/order-saga.test.ts`, add ORDER_SAGA_DUMP=1
 * to print every actor's journal, ORDER_SAGA_RUNS=<n> to run n seeds per base seed, and
 * ORDER_SAGA_COVERAGE=1 to print which paths the runs reached.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../testing/seeded-random.ts';
import type { CartLine, CheckoutCommand } from '../checkout/checkout-messages.ts';
import { checkoutKey, sellerKey, walletKey } from '../keys.ts';
import type { SellerCommand, SellerState } from '../seller/seller-messages.ts';
import { type WalletCommand, type WalletState } from '../wallet/wallet.ts';
import { platformWalletKey } from '../order/order-steps.ts';
import type { Actor as Person, OrderCommand, OrderState } from '../order/order-messages.ts';
import { checkFinal, checkMoney, checkStock } from './order-saga-checks.ts';
import { World, type Coverage } from './order-saga-world.ts';

const baseSeeds = [1, 7, 42, 20_260_101];
/**
 * 80 since orders stopped sending stat steps to their sellers: with fewer messages in flight the
 * checkout's confirmations reach their orders sooner, so at 40 the rarer paths (an order cancelled
 * before its checkout confirmed it, a dispute released) fell to the edge of the coverage bounds
 * below. Doubling the runs keeps every seed of before and adds as many.
 */
const runsPerSeed = Number(process.env['ORDER_SAGA_RUNS'] ?? 80);
/** A run takes about 10–20 ms here; 50 ms each leaves room for a slower machine. */
const testTimeoutMs = Math.max(60_000, baseSeeds.length * runsPerSeed * 50);
const randomTicks = 250;
const drainTicksMax = 20_000;
/**
 * Replies keep being lost while the sagas drain, more often than before: a saga must finish even
 * when the retry its timer woke it for loses its reply too, which only a re-armed timer survives.
 */
const drainLoseReplyChance = 0.3;
const seedOverride = process.env['ORDER_SAGA_SEED'];

function runSeeds(): number[] {
  if (seedOverride !== undefined) return [Number(seedOverride) >>> 0];
  return baseSeeds.flatMap((base) => Array.from({ length: runsPerSeed }, (_, index) => (Math.imul(base, 0x9e3779b1) + index) >>> 0));
}


// ---------------------------------------------------------------------------------------------
// Setup and random actions

function setUp(world: World): { buyers: string[]; catalog: CartLine[] } {
  const { random } = world;
  const sellerIds = Array.from({ length: random.int(2, 3) }, (_, index) => `s${index + 1}`);
  const catalog: CartLine[] = [];
  for (const sellerId of sellerIds) {
    const key = sellerKey(sellerId);
    world.execute(key, { type: 'RegisterSeller', commandId: 'reg', name: sellerId, email: `${sellerId}@example.com` } satisfies SellerCommand);
    for (let index = 1; index <= random.int(1, 3); index += 1) {
      const productId = `${sellerId}-p${index}`;
      const fields = { title: productId, description: '', priceMinor: random.int(100, 5_000), stock: random.int(1, 8), category: 'misc' };
      world.execute(key, { type: 'CreateProduct', commandId: `create-${productId}`, productId, fields } satisfies SellerCommand);
      catalog.push({ sellerId, productId, qty: 1 });
    }
    if (random.chance(0.1)) world.execute(key, { type: 'SuspendSeller', commandId: 'suspend', reason: 'checks' } satisfies SellerCommand);
  }
  const buyers = Array.from({ length: random.int(2, 3) }, (_, index) => `b${index + 1}`);
  for (const buyerId of buyers) {
    const amountMinor = random.chance(0.2) ? random.int(0, 3_000) : random.int(10_000, 40_000);
    if (amountMinor > 0) world.execute(walletKey(buyerId), { type: 'Deposit', commandId: 'initial', amountMinor } satisfies WalletCommand);
  }
  world.actor(platformWalletKey);
  return { buyers, catalog };
}

function startCheckout(world: World, buyers: string[], catalog: CartLine[], checkoutNumber: number): void {
  const { random } = world;
  const lines = Array.from({ length: random.int(1, 4) }, () => ({ ...random.pick(catalog), qty: random.int(1, 3) }));
  const command: CheckoutCommand = { type: 'StartCheckout', checkoutId: `k${checkoutNumber}`, buyerId: random.pick(buyers), lines };
  world.execute(checkoutKey(command.checkoutId), command);
  if (random.chance(0.2)) world.execute(checkoutKey(command.checkoutId), command);
}

function personAct(world: World, buyers: string[], coverage: Coverage): void {
  const { random } = world;
  if (world.sentByPeople.length > 0 && random.chance(0.1)) {
    const repeat = random.pick(world.sentByPeople);
    world.execute(repeat.key, repeat.command);
    return;
  }
  const orders = world.ofKind<OrderState>('order').filter((order) => order.state.status !== 'NEW');
  if (orders.length === 0 || random.chance(0.1)) return moveMoney(world, buyers);
  const order = random.pick(orders);
  const { buyerId, sellerId } = order.state;
  const seller: Person = random.chance(0.1) ? { role: 'SELLER', userId: 'intruder' } : { role: 'SELLER', userId: sellerId };
  const buyer: Person = { role: 'BUYER', userId: buyerId };
  const admin: Person = { role: 'ADMIN', userId: 'a1' };
  const commandId = world.nextCommandId();
  const commands: OrderCommand[] = [
    { type: 'ShipOrder', commandId, by: seller },
    { type: 'ShipOrder', commandId, by: seller },
    { type: 'ConfirmDelivery', commandId, by: buyer },
    { type: 'CancelOrder', commandId, by: seller, reason: 'seller_cancelled' },
    { type: 'CancelOrder', commandId, by: admin, reason: 'admin_cancelled' },
    { type: 'OpenDispute', commandId, by: buyer, reason: 'not as described' },
    { type: 'ResolveDispute', commandId, by: admin, resolution: random.chance(0.5) ? 'refund' : 'release' },
  ];
  // Mostly what the order's state invites, sometimes anything (which its rules must refuse).
  const invited: Partial<Record<OrderState['status'], OrderCommand[]>> = {
    PAID: [commands[0] as OrderCommand, commands[3] as OrderCommand, commands[5] as OrderCommand],
    SHIPPED: [commands[2] as OrderCommand, commands[2] as OrderCommand, commands[4] as OrderCommand, commands[5] as OrderCommand],
    DISPUTED: [commands[6] as OrderCommand],
  };
  // A seller ships an order its checkout confirmed at once, mostly: the paths past shipping
  // (confirmation, auto-release, disputes of shipped goods) start later than before the gate.
  const confirmedPaid = order.state.status === 'PAID' && order.state.checkoutConfirmed;
  const choices = confirmedPaid ? [commands[0] as OrderCommand, ...(invited.PAID ?? [])] : invited[order.state.status];
  const command = choices && random.chance(0.7) ? random.pick(choices) : random.pick(commands);
  world.sentByPeople.push({ key: order.key, command });
  const outcome = world.execute(order.key, command);
  if (!outcome.ok && outcome.code === 'awaiting_checkout') coverage.awaitingCheckout += 1;
}

function moveMoney(world: World, buyers: string[]): void {
  const { random } = world;
  const key = walletKey(random.pick(buyers));
  const balanceMinor = (world.actor(key).state as WalletState).balanceMinor;
  const command: WalletCommand = random.chance(0.5)
    ? { type: 'Deposit', commandId: world.nextCommandId(), amountMinor: random.int(1, 5_000) }
    : { type: 'Withdraw', commandId: world.nextCommandId(), amountMinor: random.int(1, Math.floor(balanceMinor / 2) + 100) };
  world.sentByPeople.push({ key, command });
  world.execute(key, command);
}

// ---------------------------------------------------------------------------------------------

function run(seed: number, coverage: Coverage): void {
  const world = new World(seed, new SeededRandom(seed ^ 0x5eed).pick([0, 250, 1_000]));
  const { buyers, catalog } = setUp(world);
  const initialStock = new Map<string, number>();
  for (const { state } of world.ofKind<SellerState>('seller')) {
    for (const product of Object.values(state.products)) initialStock.set(product.productId, product.stock);
  }
  const { random } = world;
  let checkouts = 0;
  const checkoutsMax = random.int(2, 4);
  for (world.tick = 1; world.tick <= randomTicks; world.tick += 1) {
    world.now += random.int(0, 20_000);
    const roll = random.next();
    if (checkouts < checkoutsMax && (roll < 0.05 || world.tick === 1)) startCheckout(world, buyers, catalog, (checkouts += 1));
    else if (roll < 0.7 && world.bag.length > 0) deliverRandom(world, coverage, 0.1);
    else if (roll < 0.72) world.releaseStragglers(0.3);
    else if (roll < 0.78) world.fireNextTimer(coverage, random.chance(0.2));
    else personAct(world, buyers, coverage);
    checkMoney(world, false);
    checkStock(world, initialStock);
  }
  drain(world, coverage);
  checkMoney(world, true);
  checkStock(world, initialStock);
  checkFinal(world, coverage);
}

function deliverRandom(world: World, coverage: Coverage, loseReplyChance: number): void {
  const index = world.random.int(0, world.bag.length - 1);
  const delivery = world.bag[index];
  if (delivery === undefined) return;
  if (world.random.chance(0.1)) coverage.duplicates += 1;
  else world.bag.splice(index, 1);
  if (delivery.kind === 'effect' && world.random.chance(0.05)) world.stragglers.push(delivery);
  world.deliver(delivery, loseReplyChance, coverage);
}

/**
 * Lets every saga finish: deliver everything (still losing replies), let the stragglers arrive,
 * fire every timer, and have an admin resolve disputes. Nothing else wakes an actor: a step whose
 * reply was lost is re-sent only at its saga's next message, so a saga without a due retry timer
 * would be left with pending steps.
 */
function drain(world: World, coverage: Coverage): void {
  for (let round = 0; round < drainTicksMax; round += 1) {
    world.tick += 1;
    if (world.bag.length > 0) {
      deliverRandom(world, coverage, drainLoseReplyChance);
      checkMoney(world, false);
      continue;
    }
    if (world.stragglers.length > 0) {
      world.releaseStragglers(1);
      continue;
    }
    const disputed = world.ofKind<OrderState>('order').find((order) => order.state.status === 'DISPUTED' && order.state.saga === null);
    if (disputed) {
      const resolution = world.random.chance(0.5) ? 'refund' : 'release';
      world.execute(disputed.key, { type: 'ResolveDispute', commandId: 'drain-resolve', by: { role: 'ADMIN', userId: 'a1' }, resolution } satisfies OrderCommand);
      continue;
    }
    if (!world.fireNextTimer(coverage, false)) return;
  }
  world.fail(`the sagas did not settle within ${drainTicksMax} deliveries`);
}

describe('the order and checkout sagas under a hostile network', () => {
  it('never lose, create or duplicate money, never oversell, and always finish', () => {
    const coverage: Coverage = {
      outcomes: new Map(),
      duplicates: 0,
      lostReplies: 0,
      timersFired: 0,
      lateAttemptsAfterUndo: 0,
      lateAttemptsFenced: 0,
      retryTimersRearmed: 0,
      awaitingCheckout: 0,
      cancelledBeforeConfirmation: 0,
      reportsFinishedByConfirmation: 0,
      gatesLiftedByAnswer: 0,
    };
    for (const seed of runSeeds()) run(seed, coverage);
    if (process.env['ORDER_SAGA_COVERAGE']) console.log(coverage);
    if (seedOverride !== undefined) return;
    // A generator that stops reaching these paths would make the properties above vacuous.
    const reasons = ['buyer_confirmed', 'auto_release', 'dispute_released', 'seller_cancelled', 'admin_cancelled', 'ship_by_expired', 'checkout_failed', 'dispute_refunded'];
    for (const outcome of ['COMPLETED', 'CANCELLED', 'FAILED', 'checkout COMPLETED', 'checkout FAILED', ...reasons]) {
      expect(coverage.outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(5);
    }
    expect(coverage.duplicates).toBeGreaterThan(100);
    expect(coverage.lostReplies).toBeGreaterThan(100);
    expect(coverage.timersFired).toBeGreaterThan(100);
    expect(coverage.lateAttemptsAfterUndo).toBeGreaterThan(40);
    expect(coverage.lateAttemptsFenced).toBeGreaterThan(20);
    expect(coverage.retryTimersRearmed).toBeGreaterThan(100);
    expect(coverage.awaitingCheckout).toBeGreaterThan(20);
    expect(coverage.cancelledBeforeConfirmation).toBeGreaterThan(5);
    // Only orders that reported before the last one of their checkout get a ConfirmCheckout.
    expect(coverage.reportsFinishedByConfirmation).toBeGreaterThan(10);
    expect(coverage.gatesLiftedByAnswer).toBeGreaterThan(20);
  }, testTimeoutMs);
});
