/**
 * Test fixtures for the read models: a seeded simulation of a small market that writes what
 * the actors would journal (wallet, seller and order streams, interleaved as concurrent sagas
 * interleave), and keeps its own account of where the money is, to check the audits against.
 *
 * Events are built with the actors' own types, so a change of an event contract breaks the
 * build here. The histories are ones the actors' evolve functions accept (rebuild.test.ts
 * checks that), but the saga paths are written out by hand, not run through the deciders.
 */
import type { CancelReason, OrderEvent, ReleaseReason } from '../../../actors/order/order-messages.ts';
import type { PricedItem, SellerEvent } from '../../../actors/seller/seller-messages.ts';
import type { WalletEvent } from '../../../actors/wallet/wallet.ts';
import type { Db, Row } from '../../adapters/db.ts';
import type { Journal, NewEntry } from '../../adapters/journal.ts';
import { readModelTables } from './consumer.ts';
import { orderKey, sellerKey, walletKey } from '../../../actors/keys.ts';

export const t0 = Date.UTC(2026, 0, 1);
export const dayMs = 86_400_000;
const releaseAfterMs = 7 * dayMs;

export interface PlannedAppend {
  readonly key: string;
  readonly entry: NewEntry;
}

/** A small, fast, seedable PRNG (mulberry32), so a failing run reproduces from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Where an order's story ends in the simulation. */
export type OrderFate =
  | 'paid'
  | 'shipped'
  | 'completed_confirmed'
  | 'completed_auto'
  | 'stuck_after_debit'
  | 'stuck_releasing'
  | 'cancelled_unshipped'
  | 'cancelled_ship_by'
  | 'dispute_open'
  | 'dispute_refund'
  | 'dispute_release';

const fates: readonly OrderFate[] = [
  'paid',
  'shipped',
  'completed_confirmed',
  'completed_confirmed',
  'completed_auto',
  'completed_auto',
  'stuck_after_debit',
  'stuck_releasing',
  'cancelled_unshipped',
  'cancelled_ship_by',
  'dispute_open',
  'dispute_refund',
  'dispute_release',
];

export interface MarketOptions {
  readonly seed: number;
  readonly buyers: number;
  readonly sellers: number;
  readonly productsPerSeller: number;
  readonly orders: number;
  /** Deposits and withdrawals interleaved with the orders. */
  readonly cashMoves: number;
}

/** The simulation's own account, in minor units, for the audit's totals. */
export interface MarketExpectation {
  readonly depositsMinor: string;
  readonly withdrawalsMinor: string;
  readonly balanceMinor: string;
  readonly lockedMinor: string;
  readonly inFlightMinor: string;
}

export interface Market {
  readonly appends: readonly PlannedAppend[];
  readonly expected: MarketExpectation;
  /** How the orders ended, to check the run covered every path. */
  readonly outcomes: Readonly<Record<string, number>>;
}

interface ProductModel {
  readonly productId: string;
  title: string;
  priceMinor: number;
  stock: number;
  deleted: boolean;
}

class Simulation {
  readonly appends: PlannedAppend[] = [];
  readonly random: () => number;
  readonly balances = new Map<string, number>();
  readonly locked = new Map<string, number>();
  readonly products = new Map<string, ProductModel[]>();
  readonly outcomes: Record<string, number> = {};
  deposits = 0n;
  withdrawals = 0n;
  inFlight = 0n;
  private nowMs = t0;
  private cashCount = 0;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<Value>(values: readonly Value[]): Value {
    const value = values[Math.floor(this.random() * values.length)];
    if (value === undefined) throw new Error('pick from an empty list');
    return value;
  }

  /** Time moves on by up to a minute per entry, and by days when a story waits for people. */
  private tick(waitMs = 0): number {
    this.nowMs += waitMs + this.integer(1, 60_000);
    return this.nowMs;
  }

  private append(key: string, commandId: string, events: readonly unknown[], at: number): void {
    this.appends.push({ key, entry: { events, commandId, at } });
  }

  order(orderId: string, commandId: string, build: (at: number) => OrderEvent[], waitMs = 0): void {
    const at = this.tick(waitMs);
    this.append(orderKey(orderId), commandId, build(at), at);
  }

  seller(sellerId: string, commandId: string, build: (at: number) => SellerEvent[]): void {
    const at = this.tick();
    this.append(sellerKey(sellerId), commandId, build(at), at);
  }

  wallet(userId: string, commandId: string, event: WalletEvent): void {
    const at = this.tick();
    this.account(userId, event);
    this.append(walletKey(userId), commandId, [event], at);
  }

  /** The simulation's ledger, kept independently of the projections. */
  private account(userId: string, event: WalletEvent): void {
    const balance = this.balances.get(userId) ?? 0;
    const locked = this.locked.get(userId) ?? 0;
    const amount = BigInt(event.type === 'OrderFenced' ? 0 : event.amountMinor);
    const set = (nextBalance: number, nextLocked: number) => {
      if (nextBalance < 0 || nextLocked < 0) throw new Error(`simulation bug: ${userId} would go negative`);
      this.balances.set(userId, nextBalance);
      this.locked.set(userId, nextLocked);
    };
    switch (event.type) {
      case 'Deposited':
        this.deposits += amount;
        return set(balance + event.amountMinor, locked);
      case 'Withdrawn':
        this.withdrawals += amount;
        return set(balance - event.amountMinor, locked);
      case 'DebitedForOrder':
        this.inFlight += amount;
        return set(balance - event.amountMinor, locked);
      case 'OrderRefunded':
        this.inFlight -= amount;
        return set(balance + event.amountMinor, locked);
      case 'PendingCredited':
        this.inFlight -= amount;
        return set(balance, locked + event.amountMinor);
      case 'PendingReleased':
        this.inFlight += BigInt(event.feeMinor);
        return set(balance + event.amountMinor - event.feeMinor, locked - event.amountMinor);
      case 'PendingVoided':
        this.inFlight += amount;
        return set(balance, locked - event.amountMinor);
      case 'FeeCredited':
        this.inFlight -= amount;
        return set(balance + event.amountMinor, locked);
      case 'OrderFenced':
        return;
      default:
        throw new Error(`simulation bug: ${JSON.stringify(event satisfies never)}`);
    }
  }

  nextCashId(): string {
    this.cashCount += 1;
    return `cash-${this.cashCount}`;
  }

  count(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }
}

export function simulateMarket(options: MarketOptions): Market {
  const sim = new Simulation(options.seed);
  const buyers = Array.from({ length: options.buyers }, (_, index) => `b${index + 1}`);
  const sellers = Array.from({ length: options.sellers }, (_, index) => `s${index + 1}`);
  for (const sellerId of sellers) setUpSeller(sim, sellerId, options.productsPerSeller);
  for (const buyerId of buyers) sim.wallet(buyerId, 'welcome', { type: 'Deposited', commandId: 'welcome', amountMinor: sim.integer(10_000, 60_000) });
  const processes: Generator<void>[] = [
    cashMoves(sim, buyers, sellers, options.cashMoves),
    sellerChanges(sim, sellers),
    ...Array.from({ length: options.orders }, (_, index) =>
      orderStory(sim, `o${index + 1}`, sim.pick(buyers), sim.pick(sellers), sim.pick(fates)),
    ),
  ];
  // Sagas run concurrently: each step of a random live story in turn.
  while (processes.length > 0) {
    const index = Math.floor(sim.random() * processes.length);
    if (processes[index]?.next().done) processes.splice(index, 1);
  }
  const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + BigInt(value), 0n);
  return {
    appends: sim.appends,
    expected: {
      depositsMinor: String(sim.deposits),
      withdrawalsMinor: String(sim.withdrawals),
      balanceMinor: String(sum(sim.balances.values())),
      lockedMinor: String(sum(sim.locked.values())),
      inFlightMinor: String(sim.inFlight),
    },
    outcomes: sim.outcomes,
  };
}

function setUpSeller(sim: Simulation, sellerId: string, productCount: number): void {
  sim.seller(sellerId, 'register', (at) => [{ type: 'SellerRegistered', name: `Seller ${sellerId}`, email: `${sellerId}@example.test`, at }]);
  const products: ProductModel[] = [];
  // One more product than orders may use: it is deleted later, so deletes are projected too.
  for (let index = 0; index <= productCount; index += 1) {
    const product: ProductModel = {
      productId: `${sellerId}-p${index}`,
      title: `Product ${index} of ${sellerId}`,
      priceMinor: sim.integer(300, 5_000),
      stock: sim.integer(10, 60),
      deleted: false,
    };
    products.push(product);
    sim.seller(sellerId, `create-${product.productId}`, (at) => [
      {
        type: 'ProductCreated',
        productId: product.productId,
        fields: { title: product.title, description: `About ${product.title}`, priceMinor: product.priceMinor, stock: product.stock, category: sim.pick(['home', 'tea', 'books']) },
        at,
      },
    ]);
  }
  sim.products.set(sellerId, products);
}

function* cashMoves(sim: Simulation, buyers: readonly string[], sellers: readonly string[], count: number): Generator<void> {
  for (let move = 0; move < count; move += 1) {
    const commandId = sim.nextCashId();
    if (sim.random() < 0.5) {
      sim.wallet(sim.pick(buyers), commandId, { type: 'Deposited', commandId, amountMinor: sim.integer(1_000, 20_000) });
    } else {
      const userId = sim.pick([...sellers, ...buyers, 'platform']);
      const balance = sim.balances.get(userId) ?? 0;
      if (balance > 0) sim.wallet(userId, commandId, { type: 'Withdrawn', commandId, amountMinor: sim.integer(1, balance) });
    }
    yield;
  }
}

/** Catalog and lifecycle changes while orders run: prices, images, a suspension, a delete. */
function* sellerChanges(sim: Simulation, sellers: readonly string[]): Generator<void> {
  for (const sellerId of sellers) {
    const products = sim.products.get(sellerId) ?? [];
    const product = sim.pick(products.slice(0, -1));
    product.priceMinor += 100;
    sim.seller(sellerId, `price-${product.productId}`, (at) => [{ type: 'ProductUpdated', productId: product.productId, patch: { priceMinor: product.priceMinor }, at }]);
    yield;
    product.stock += 5;
    sim.seller(sellerId, `restock-${product.productId}`, (at) => [{ type: 'ProductUpdated', productId: product.productId, patch: { stock: product.stock }, at }]);
    yield;
    sim.seller(sellerId, `image-${product.productId}`, (at) => [
      { type: 'ProductImageAdded', productId: product.productId, imageKey: `products/${product.productId}/1.jpg`, at },
      { type: 'ProductImageAdded', productId: product.productId, imageKey: `products/${product.productId}/2.jpg`, at },
    ]);
    yield;
    const retired = products.at(-1);
    if (retired !== undefined) {
      retired.deleted = true;
      sim.seller(sellerId, `delete-${retired.productId}`, (at) => [{ type: 'ProductDeleted', productId: retired.productId, at }]);
    }
    yield;
  }
  const suspended = sim.pick(sellers);
  sim.seller(suspended, 'suspend', (at) => [{ type: 'SellerSuspended', reason: 'late shipments', at }]);
  yield;
  sim.seller(suspended, 'reactivate', (at) => [{ type: 'SellerReactivated', at }]);
}

/** The facts one order's steps need, fixed when it is priced. */
interface Story {
  readonly sim: Simulation;
  readonly orderId: string;
  readonly buyerId: string;
  readonly sellerId: string;
  readonly items: readonly PricedItem[];
  readonly totalMinor: number;
  readonly feeMinor: number;
  /** Timers scheduled and not yet cancelled. */
  readonly timers: Set<string>;
  shipped: boolean;
}

function* orderStory(sim: Simulation, orderId: string, buyerId: string, sellerId: string, fate: OrderFate): Generator<void> {
  const requested = chooseItems(sim, sellerId);
  const platformFeeBps = sim.random() < 0.15 ? 0 : 250;
  sim.order(orderId, 'place', (at) => [
    { type: 'OrderPlaced', orderId, checkoutId: `c-${orderId}`, buyerId, sellerId, items: requested.map(({ productId, qty }) => ({ productId, qty })), platformFeeBps, at },
    { type: 'StepStarted', stepId: 'reserve_stock', target: sellerKey(sellerId), command: { type: 'ReserveStock', orderId, items: requested }, at },
    { type: 'TimerScheduled', timerId: 'retry-1', dueAt: at + 30_000, command: { type: 'RetrySteps', timerId: 'retry-1' } },
  ]);
  yield;
  const items = reserve(sim, sellerId, requested);
  if (items === null) {
    // The refused reservation is undone all the same, which fences the order at the seller.
    sim.order(orderId, 'step:reserve_stock', (at) => [
      { type: 'StepFailed', stepId: 'reserve_stock', code: 'out_of_stock', message: 'Not enough stock.', at },
      { type: 'StepStarted', stepId: 'release_stock', target: sellerKey(sellerId), command: { type: 'ReleaseStock', orderId }, at },
    ]);
    yield;
    sim.seller(sellerId, `release-stock:${orderId}`, () => [{ type: 'ReservationFenced', orderId }]);
    yield;
    sim.order(orderId, 'step:release_stock', (at) => [
      { type: 'StepSucceeded', stepId: 'release_stock', at },
      { type: 'OrderFailed', code: 'out_of_stock', message: 'Not enough stock.', at },
      { type: 'TimerCancelled', timerId: 'retry-1' },
    ]);
    return sim.count('failed_out_of_stock');
  }
  sim.seller(sellerId, `reserve:${orderId}`, (at) => [{ type: 'StockReserved', orderId, items, at }]);
  yield;
  const totalMinor = items.reduce((total, item) => total + item.qty * item.unitPriceMinor, 0);
  const story: Story = { sim, orderId, buyerId, sellerId, items, totalMinor, feeMinor: Math.floor((totalMinor * platformFeeBps) / 10_000), timers: new Set(['retry-1']), shipped: false };
  sim.order(orderId, 'step:reserve_stock', (at) => [
    { type: 'StepSucceeded', stepId: 'reserve_stock', at },
    { type: 'OrderPriced', items, totalMinor, feeMinor: story.feeMinor, at },
    { type: 'StepStarted', stepId: 'debit_buyer', target: walletKey(buyerId), command: { type: 'DebitForOrder', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  if ((sim.balances.get(buyerId) ?? 0) < totalMinor) return yield* failUnpaid(story);
  yield* payAndCredit(story, fate);
  if (fate === 'stuck_after_debit') return sim.count(fate);
  yield* finishStory(story, fate);
  sim.count(fate);
}

function* finishStory(story: Story, fate: OrderFate): Generator<void> {
  switch (fate) {
    case 'paid':
    case 'stuck_after_debit':
      return;
    case 'shipped':
      return yield* ship(story);
    case 'completed_confirmed':
      yield* ship(story);
      return yield* release(story, 'buyer_confirmed', true);
    case 'completed_auto':
      yield* ship(story);
      return yield* release(story, 'auto_release', true);
    case 'stuck_releasing':
      yield* ship(story);
      return yield* release(story, 'auto_release', false);
    case 'cancelled_unshipped':
      return yield* cancel(story, 'seller_cancelled');
    case 'cancelled_ship_by':
      return yield* cancel(story, 'ship_by_expired');
    case 'dispute_open':
      return yield* dispute(story);
    case 'dispute_refund':
      yield* dispute(story);
      return yield* cancel(story, 'dispute_refunded');
    case 'dispute_release':
      yield* dispute(story);
      return yield* release(story, 'dispute_released', true);
    default:
      throw new Error(`unknown fate ${JSON.stringify(fate satisfies never)}`);
  }
}

function chooseItems(sim: Simulation, sellerId: string): PricedItem[] {
  const live = (sim.products.get(sellerId) ?? []).slice(0, -1);
  const lines = new Map<string, PricedItem>();
  for (let line = sim.integer(1, 3); line > 0; line -= 1) {
    const product = sim.pick(live);
    lines.set(product.productId, { productId: product.productId, title: product.title, qty: sim.integer(1, 3), unitPriceMinor: 0 });
  }
  return [...lines.values()];
}

/** Takes the stock and prices the lines at the seller's current prices, or null when short. */
function reserve(sim: Simulation, sellerId: string, requested: readonly PricedItem[]): PricedItem[] | null {
  const products = sim.products.get(sellerId) ?? [];
  const find = (productId: string) => products.find((product) => product.productId === productId);
  if (requested.some((item) => (find(item.productId)?.stock ?? 0) < item.qty)) return null;
  return requested.map((item) => {
    const product = find(item.productId);
    if (product === undefined) throw new Error(`simulation bug: no product ${item.productId}`);
    product.stock -= item.qty;
    return { ...item, title: product.title, unitPriceMinor: product.priceMinor };
  });
}

function giveBackStock(story: Story): void {
  for (const item of story.items) {
    const product = story.sim.products.get(story.sellerId)?.find((candidate) => candidate.productId === item.productId);
    if (product !== undefined) product.stock += item.qty;
  }
}

/** The refused debit is undone all the same (fencing the order at the buyer), then the stock is given back. */
function* failUnpaid(story: Story): Generator<void> {
  const { sim, orderId, buyerId, sellerId, totalMinor } = story;
  sim.order(orderId, 'step:debit_buyer', (at) => [
    { type: 'StepFailed', stepId: 'debit_buyer', code: 'insufficient_funds', message: 'Not enough money.', at },
    { type: 'StepStarted', stepId: 'refund_buyer', target: walletKey(buyerId), command: { type: 'RefundOrder', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  sim.wallet(buyerId, `refund:${orderId}`, { type: 'OrderFenced', orderId, side: 'buyer' });
  yield;
  sim.order(orderId, 'step:refund_buyer', (at) => [
    { type: 'StepSucceeded', stepId: 'refund_buyer', at },
    { type: 'StepStarted', stepId: 'release_stock', target: sellerKey(sellerId), command: { type: 'ReleaseStock', orderId }, at },
  ]);
  yield;
  giveBackStock(story);
  sim.seller(sellerId, `release-stock:${orderId}`, (at) => [{ type: 'StockReleased', orderId, items: story.items, at }]);
  yield;
  sim.order(orderId, 'step:release_stock', (at) => [
    { type: 'StepSucceeded', stepId: 'release_stock', at },
    { type: 'OrderFailed', code: 'insufficient_funds', message: 'Not enough money.', at },
    { type: 'TimerCancelled', timerId: 'retry-1' },
  ]);
  sim.count('failed_insufficient_funds');
}

function* payAndCredit(story: Story, fate: OrderFate): Generator<void> {
  const { sim, orderId, buyerId, sellerId, totalMinor } = story;
  sim.wallet(buyerId, `debit:${orderId}`, { type: 'DebitedForOrder', orderId, amountMinor: totalMinor });
  yield;
  sim.order(orderId, 'step:debit_buyer', (at) => [
    { type: 'StepSucceeded', stepId: 'debit_buyer', at },
    { type: 'StepStarted', stepId: 'credit_seller', target: walletKey(sellerId), command: { type: 'CreditPending', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  if (fate === 'stuck_after_debit') return;
  sim.wallet(sellerId, `credit-pending:${orderId}`, { type: 'PendingCredited', orderId, amountMinor: totalMinor });
  yield;
  story.timers.add('ship-by');
  sim.order(orderId, 'step:credit_seller', (at) => [
    { type: 'StepSucceeded', stepId: 'credit_seller', at },
    { type: 'OrderPaid', at },
    { type: 'TimerScheduled', timerId: 'ship-by', dueAt: at + 3 * dayMs, command: { type: 'ExpireShipBy', timerId: 'ship-by' } },
    { type: 'StepStarted', stepId: 'notify_checkout', target: `checkout:c-${orderId}`, command: { type: 'OrderSettled', orderId, outcome: 'PAID', code: null, message: null }, at },
    statStarted(story, 'placed', at),
  ]);
  yield;
  yield* recordOutcome(story, 'placed', (at) => [{ type: 'StepSucceeded', stepId: 'notify_checkout', at }, { type: 'TimerCancelled', timerId: 'retry-1' }]);
  story.timers.delete('retry-1');
}

function statStarted(story: Story, outcome: 'placed' | 'shipped' | 'completed' | 'cancelled' | 'disputed', at: number): OrderEvent {
  return {
    type: 'StepStarted',
    stepId: `stat_${outcome}`,
    target: sellerKey(story.sellerId),
    command: { type: 'RecordOrderOutcome', orderId: story.orderId, outcome, atMs: at },
    at,
  };
}

/** The seller counts the outcome, then the order records the step's success (with `extra` events). */
function* recordOutcome(
  story: Story,
  outcome: 'placed' | 'shipped' | 'completed' | 'cancelled' | 'disputed',
  extra: (at: number) => OrderEvent[] = () => [],
): Generator<void> {
  const { sim, orderId, sellerId } = story;
  sim.seller(sellerId, `stat:${orderId}:${outcome}`, (at) => [{ type: 'OrderOutcomeRecorded', orderId, outcome, atMs: at }]);
  yield;
  sim.order(orderId, `step:stat_${outcome}`, (at) => [{ type: 'StepSucceeded', stepId: `stat_${outcome}`, at }, ...extra(at)]);
  yield;
}

function* ship(story: Story): Generator<void> {
  const { sim, orderId } = story;
  story.shipped = true;
  story.timers.delete('ship-by');
  story.timers.add('release-escrow');
  sim.order(
    orderId,
    'ship-1',
    (at) => [
      { type: 'OrderShipped', at, releaseDueAt: at + releaseAfterMs },
      { type: 'TimerCancelled', timerId: 'ship-by' },
      { type: 'TimerScheduled', timerId: 'release-escrow', dueAt: at + releaseAfterMs, command: { type: 'ReleaseEscrow', timerId: 'release-escrow' } },
      statStarted(story, 'shipped', at),
    ],
    sim.integer(0, 2) * dayMs,
  );
  yield;
  yield* recordOutcome(story, 'shipped');
}

function cancelPendingTimers(story: Story): OrderEvent[] {
  const cancelled = [...story.timers].filter((timerId) => timerId !== 'retry-1');
  for (const timerId of cancelled) story.timers.delete(timerId);
  return cancelled.map((timerId) => ({ type: 'TimerCancelled', timerId }));
}

function resolved(resolution: 'refund' | 'release', at: number): OrderEvent {
  return { type: 'DisputeResolved', resolution, adminId: 'admin-1', at };
}

/** A dispute, on a paid order or (half the time) after it shipped. */
function* dispute(story: Story): Generator<void> {
  const { sim, orderId } = story;
  if (sim.random() < 0.5) yield* ship(story);
  sim.order(orderId, 'dispute-1', (at) => [{ type: 'DisputeOpened', reason: 'not as described', at }, statStarted(story, 'disputed', at)], dayMs);
  yield;
  yield* recordOutcome(story, 'disputed');
}

/** Releases the escrow: the seller's pending funds, then the platform fee (unless `finish` is false). */
function* release(story: Story, reason: ReleaseReason, finish: boolean): Generator<void> {
  const { sim, orderId, sellerId, totalMinor, feeMinor } = story;
  const first = (at: number): OrderEvent[] => [
    ...(reason === 'buyer_confirmed' ? [{ type: 'DeliveryConfirmed', at } as const] : []),
    ...(reason === 'dispute_released' ? [resolved('release', at)] : []),
    ...cancelPendingTimers(story),
    { type: 'ReleaseStarted', reason, at },
    { type: 'StepStarted', stepId: 'release_funds', target: walletKey(sellerId), command: { type: 'ReleasePending', orderId, feeMinor }, at },
  ];
  sim.order(orderId, reason === 'buyer_confirmed' ? 'confirm-1' : reason === 'auto_release' ? 'timer:release-escrow' : 'resolve-1', first, reason === 'auto_release' ? releaseAfterMs : dayMs);
  yield;
  sim.wallet(sellerId, `release:${orderId}`, { type: 'PendingReleased', orderId, amountMinor: totalMinor, feeMinor });
  yield;
  sim.order(orderId, 'step:release_funds', (at) => [
    { type: 'StepSucceeded', stepId: 'release_funds', at },
    { type: 'StepStarted', stepId: 'credit_fee', target: 'wallet:platform', command: { type: 'CreditFee', orderId, amountMinor: feeMinor }, at },
  ]);
  yield;
  if (!finish) return;
  sim.wallet('platform', `fee:${orderId}`, { type: 'FeeCredited', orderId, amountMinor: feeMinor });
  yield;
  sim.order(orderId, 'step:credit_fee', (at) => [
    { type: 'StepSucceeded', stepId: 'credit_fee', at },
    { type: 'OrderCompleted', reason, releasedMinor: totalMinor, feeMinor, at },
    statStarted(story, 'completed', at),
  ]);
  yield;
  yield* recordOutcome(story, 'completed');
}

/** Cancels a paid order: voids the seller's pending funds, refunds the buyer, returns unshipped stock. */
function* cancel(story: Story, reason: CancelReason): Generator<void> {
  const { sim, orderId, buyerId, sellerId, totalMinor } = story;
  const commandId = reason === 'ship_by_expired' ? 'timer:ship-by' : reason === 'dispute_refunded' ? 'resolve-1' : 'cancel-1';
  sim.order(
    orderId,
    commandId,
    (at) => [
      ...(reason === 'dispute_refunded' ? [resolved('refund', at)] : []),
      { type: 'CancellationStarted', reason, at },
      ...cancelPendingTimers(story),
      { type: 'StepStarted', stepId: 'void_pending', target: walletKey(sellerId), command: { type: 'VoidPending', orderId }, at },
    ],
    reason === 'ship_by_expired' ? 3 * dayMs : 0,
  );
  yield;
  sim.wallet(sellerId, `void:${orderId}`, { type: 'PendingVoided', orderId, amountMinor: totalMinor });
  yield;
  sim.order(orderId, 'step:void_pending', (at) => [
    { type: 'StepSucceeded', stepId: 'void_pending', at },
    { type: 'StepStarted', stepId: 'refund_buyer', target: walletKey(buyerId), command: { type: 'RefundOrder', orderId, amountMinor: totalMinor }, at },
  ]);
  yield;
  sim.wallet(buyerId, `refund:${orderId}`, { type: 'OrderRefunded', orderId, amountMinor: totalMinor });
  yield;
  const refunded = (at: number): OrderEvent[] => [
    { type: 'OrderCancelled', reason, refundedMinor: totalMinor, at },
    statStarted(story, 'cancelled', at),
  ];
  if (story.shipped) {
    sim.order(orderId, 'step:refund_buyer', (at) => [{ type: 'StepSucceeded', stepId: 'refund_buyer', at }, ...refunded(at)]);
  } else {
    sim.order(orderId, 'step:refund_buyer', (at) => [
      { type: 'StepSucceeded', stepId: 'refund_buyer', at },
      { type: 'StepStarted', stepId: 'release_stock', target: sellerKey(sellerId), command: { type: 'ReleaseStock', orderId }, at },
    ]);
    yield;
    giveBackStock(story);
    sim.seller(sellerId, `release-stock:${orderId}`, (at) => [{ type: 'StockReleased', orderId, items: story.items, at }]);
    yield;
    sim.order(orderId, 'step:release_stock', (at) => [{ type: 'StepSucceeded', stepId: 'release_stock', at }, ...refunded(at)]);
  }
  yield;
  yield* recordOutcome(story, 'cancelled');
}

/** Appends planned entries in order, each continuing its key's stream. */
export async function appendAll(journal: Journal, appends: readonly PlannedAppend[], seqs = new Map<string, number>()): Promise<void> {
  for (const { key, entry } of appends) {
    const expectedSeq = seqs.get(key) ?? 0;
    await journal.append(key, expectedSeq, entry);
    seqs.set(key, expectedSeq + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Table snapshots

/** Primary-key order of each read-model table, so snapshots compare row for row. */
const tableOrder: Readonly<Record<string, string>> = {
  wallets: 'id',
  ledger_entries: 'id',
  orders: 'id',
  order_items: 'order_id, line_no',
  products: 'seller_id, product_id',
  stock_reservations: 'seller_id, order_id',
  seller_stats: 'seller_id',
};

/** Every row of every read-model table, in primary-key order. */
export async function snapshotTables(db: Db): Promise<Record<string, Row[]>> {
  const snapshot: Record<string, Row[]> = {};
  for (const table of readModelTables) {
    const order = tableOrder[table];
    if (order === undefined) throw new Error(`no snapshot order for ${table}`);
    snapshot[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  }
  return snapshot;
}
