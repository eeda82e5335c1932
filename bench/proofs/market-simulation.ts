/**
 * A seeded marketplace workload driven through the real runtime (marketplace.simulation.test.ts).
 *
 * Each round sends, all at once: deposits and withdrawals (some duplicated), new checkouts
 * (single and multi-seller carts, some unaffordable, some for items out of stock, some invalid,
 * some sent twice at once, some with a seller shipping while the checkout still runs), retries
 * of earlier checkouts, people's follow-ups on the orders (ship, confirm, cancel, dispute,
 * resolve; some duplicated, some by the wrong person) and sometimes a clock jump of an hour to
 * eight days, so ship-by expiry and escrow auto-release fire among the rest.
 *
 * Reproducing: every random choice is drawn from `seededRandom(seed)`, synchronously, before the
 * task that uses it awaits anything, so a seed fixes the workload. How concurrent commands
 * interleave is the runtime's business (which of two buyers gets the last lamp), and later
 * choices read the statuses that produced; a failing seed therefore replays the same workload,
 * though not always the same interleaving.
 */
import type { CartLine } from '../../actors/checkout/checkout-messages.ts';
import { planOrders } from '../../actors/checkout/checkout-plan.ts';
import type { OrderCommand, OrderState } from '../../actors/order/order-messages.ts';
import { isTransientFailure, type Failure } from '../../runtime/ask.ts';
import { checkout, type CheckoutSucceeded } from '../../gateway/app/commerce.ts';
import type { CommandResult } from '../../runtime/entity.ts';
import { SeededRandom } from '../../actors/testing/seeded-random.ts';
import type { Marketplace } from '../../gateway/testing/marketplace.ts';
import { checkQuietMarket, terminalStatuses, type MarketModel, type MarketSnapshot } from './market-invariants.ts';
import { drawFollowUp, followUpCommand, type FollowUp } from './market-follow-ups.ts';
import { closedProblems, readMarket, rehydrationProblems, runSummary, type MarketKeys } from './market-report.ts';
import { dayMs, hourMs, orderState, settleFully } from './proof-kit.ts';

/** How long a caller waits for one checkout saga; generous, see the test's limits. */
const checkoutWaitMs = 150_000;
/** Attempts of a command answered with a transient failure (the same command id each time). */
const transientAttemptsMax = 5;

type CheckoutResult = CheckoutSucceeded | Failure;


interface ProductPlan {
  readonly productId: string;
  readonly priceMinor: number;
  readonly stock: number;
}

interface SentCheckout {
  readonly checkoutId: string;
  readonly buyerId: string;
  readonly lines: readonly CartLine[];
  result: CheckoutResult | null;
}

interface KnownOrder {
  readonly orderId: string;
  readonly buyerId: string;
  readonly sellerId: string;
  status: OrderState['status'];
}

export class MarketSimulation {
  private readonly dice: SeededRandom;
  private readonly sellers = new Map<string, ProductPlan[]>();
  private readonly buyers: string[] = [];
  private readonly sent = new Map<string, SentCheckout>();
  private readonly known = new Map<string, KnownOrder>();
  private readonly depositedMinor = new Map<string, number>();
  private readonly withdrawnMinor = new Map<string, number>();
  private readonly initialStock = new Map<string, number>();
  /** Broken facts seen by callers during a round, reported at the next checkpoint. */
  private readonly seen: string[] = [];
  private readonly outcomes = { checkouts: [] as string[], followUps: [] as string[], wallet: [] as string[], eager: [] as string[] };
  private commandNumber = 0;
  private clockAdvancedMs = 0;
  private last: MarketSnapshot | null = null;

  constructor(
    private readonly market: Marketplace,
    readonly seed: number,
  ) {
    this.dice = new SeededRandom(seed);
  }

  get model(): MarketModel {
    return { depositedMinor: this.depositedMinor, withdrawnMinor: this.withdrawnMinor, initialStock: this.initialStock };
  }

  private get keys(): MarketKeys {
    return { checkoutIds: [...this.sent.keys()], sellerIds: [...this.sellers.keys()] };
  }

  summary(elapsedMs: number): string {
    const { seed, outcomes, depositedMinor, withdrawnMinor, clockAdvancedMs } = this;
    return runSummary({ seed, outcomes, depositedMinor, withdrawnMinor, clockAdvancedMs }, this.last, elapsedMs);
  }

  private nextId(prefix: string): string {
    this.commandNumber += 1;
    return `${prefix}${this.commandNumber}`;
  }

  // -------------------------------------------------------------------------------------------
  // Set-up

  async setUp(sellerCount: number, productsPerSeller: number, buyerCount: number): Promise<void> {
    for (let sellerIndex = 1; sellerIndex <= sellerCount; sellerIndex += 1) {
      const sellerId = `s${sellerIndex}`;
      const products = Array.from({ length: productsPerSeller }, (_, index): ProductPlan => ({
        productId: `p${index + 1}`,
        priceMinor: this.dice.int(1, 60) * 100 - this.dice.int(0, 1),
        // A quarter of the catalog is nearly sold out from the start; the rest sells out later.
        stock: this.dice.chance(0.25) ? this.dice.int(0, 4) : this.dice.int(20, 150),
      }));
      this.sellers.set(sellerId, products);
      for (const product of products) this.initialStock.set(`${sellerId}/${product.productId}`, product.stock);
      await this.market.seller(sellerId, Object.fromEntries(products.map((product) => [product.productId, product])));
    }
    for (let index = 1; index <= buyerCount; index += 1) this.buyers.push(`b${index}`);
    const initial = this.buyers.map((buyerId) => ({ buyerId, amountMinor: this.dice.chance(0.15) ? 0 : this.dice.int(1, 60) * 1_000 }));
    await Promise.all(initial.filter(({ amountMinor }) => amountMinor > 0).map(({ buyerId, amountMinor }) => this.walletCommand(buyerId, 'Deposit', amountMinor, false)));
  }

  // -------------------------------------------------------------------------------------------
  // Rounds

  async round(newCheckouts: number): Promise<void> {
    await this.refreshKnownOrders();
    const work: Promise<unknown>[] = [];
    const userIds = [...this.buyers, ...this.sellers.keys()];
    for (let count = this.dice.int(4, 10); count > 0; count -= 1) {
      const userId = this.dice.chance(0.85) ? this.dice.pick(this.buyers) : this.dice.pick([...this.sellers.keys()]);
      work.push(this.walletCommand(userId, 'Deposit', this.dice.int(2, 50) * 1_000, this.dice.chance(0.1)));
    }
    for (let count = this.dice.int(0, 3); count > 0; count -= 1) {
      work.push(this.walletCommand(this.dice.pick(userIds), 'Withdraw', this.dice.int(1, 250) * 100, this.dice.chance(0.1)));
    }
    for (let count = 0; count < newCheckouts; count += 1) work.push(this.newCheckout());
    const earlier = [...this.sent.values()].filter((request) => request.result !== null);
    for (let count = earlier.length === 0 ? 0 : this.dice.int(0, 3); count > 0; count -= 1) work.push(this.retryCheckout(this.dice.pick(earlier)));
    work.push(...this.followUps());
    const jumpMs = this.dice.chance(0.4) ? this.clockJumpMs() : 0;
    const jumpAmidCommands = jumpMs > 0 && this.dice.chance(0.5);
    if (jumpAmidCommands) work.push(this.advance(jumpMs));
    await Promise.all(work);
    if (jumpMs > 0 && !jumpAmidCommands) await this.advance(jumpMs);
  }

  /** An hour to a day half of the time, else one to eight days (plus some minutes). */
  private clockJumpMs(): number {
    const minutesMs = this.dice.int(0, 59) * 60_000;
    return (this.dice.chance(0.5) ? this.dice.int(1, 23) * hourMs : this.dice.int(1, 8) * dayMs) + minutesMs;
  }

  private async advance(byMs: number): Promise<void> {
    this.clockAdvancedMs += byMs;
    await this.market.advance(byMs);
  }

  /** Deposit or withdraw; the model counts it once per command id, when the wallet accepted it. */
  private async walletCommand(userId: string, type: 'Deposit' | 'Withdraw', amountMinor: number, duplicate: boolean): Promise<void> {
    const command = { type, commandId: this.nextId(type === 'Deposit' ? 'dep' : 'wd'), amountMinor };
    const sends = [this.askUntilAnswered(() => this.market.system.wallets.ask(userId, command))];
    if (duplicate) sends.push(this.askUntilAnswered(() => this.market.system.wallets.ask(userId, command)));
    const results = await Promise.all(sends);
    this.expectSameEntry(results, `${type} ${command.commandId} to ${userId}`);
    this.outcomes.wallet.push(`${type}:${results[0]?.ok ? 'ok' : (results[0] as Failure).code}`);
    if (!results.some((result) => result.ok)) return;
    const totals = type === 'Deposit' ? this.depositedMinor : this.withdrawnMinor;
    totals.set(userId, (totals.get(userId) ?? 0) + amountMinor);
  }

  /** A duplicated command is one journal entry: both answers, if accepted, name the same seq. */
  private expectSameEntry(results: readonly CommandResult<unknown, unknown>[], what: string): void {
    const seqs = new Set(results.flatMap((result) => (result.ok ? [result.seq] : [])));
    if (seqs.size > 1) this.seen.push(`${what} sent twice was journaled at seqs ${[...seqs].join(', ')}`);
  }

  /** Asks again with the same command on a transient failure: idempotency makes that safe. */
  private async askUntilAnswered(ask: () => Promise<CommandResult<unknown, unknown>>): Promise<CommandResult<unknown, unknown>> {
    let result = await ask();
    for (let attempt = 1; attempt < transientAttemptsMax && isTransientFailure(result); attempt += 1) {
      await pause(attempt);
      result = await ask();
    }
    if (isTransientFailure(result)) this.seen.push(`a command stayed unanswered: ${JSON.stringify(result)}`);
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Checkouts

  private drawCart(): CartLine[] {
    const sellerIds = [...this.sellers.keys()];
    const lineCount = this.dice.pick([1, 1, 1, 1, 1, 2, 2, 2, 3, 3]);
    return Array.from({ length: lineCount }, (): CartLine => {
      const sellerId = this.dice.pick(sellerIds);
      const product = this.dice.pick(this.sellers.get(sellerId) ?? []);
      const noise = this.dice.next();
      if (noise < 0.01) return { sellerId: 'nobody', productId: product.productId, qty: 1 };
      if (noise < 0.03) return { sellerId, productId: 'ghost', qty: 1 };
      if (noise < 0.045) return { sellerId, productId: product.productId, qty: 0 };
      return { sellerId, productId: product.productId, qty: this.dice.int(1, 3) };
    });
  }

  private async newCheckout(): Promise<void> {
    const checkoutId = this.nextId('co');
    const buyerId = this.dice.chance(0.08) ? this.dice.pick([...this.sellers.keys()]) : this.dice.pick(this.buyers);
    const request: SentCheckout = { checkoutId, buyerId, lines: this.drawCart(), result: null };
    const twice = this.dice.chance(0.1);
    const eager = this.dice.chance(0.12) ? this.drawEager() : null;
    this.sent.set(checkoutId, request);
    const sends = [this.sendCheckout(request)];
    if (twice) sends.push(this.sendCheckout(request));
    const [results] = await Promise.all([Promise.all(sends), eager === null ? null : this.eagerFollowUp(request, eager)]);
    const [first, second] = results;
    request.result = first ?? null;
    this.outcomes.checkouts.push(first?.ok ? 'ok' : (first?.code ?? 'none'));
    if (second !== undefined && !sameResult(first, second)) this.seen.push(`checkout ${checkoutId} sent twice answered ${describe(first)} and ${describe(second)}`);
    this.learnOrders(request);
  }

  /** Like a client: a transient answer (the saga may still be running) is asked again, same id. */
  private async sendCheckout(request: SentCheckout): Promise<CheckoutResult> {
    const send = () => checkout(this.market.system, { checkoutId: request.checkoutId, buyerId: request.buyerId, lines: request.lines }, checkoutWaitMs);
    let result = await send();
    for (let attempt = 1; attempt < transientAttemptsMax && isTransientFailure(result); attempt += 1) {
      await pause(attempt);
      result = await send();
    }
    if (isTransientFailure(result)) this.seen.push(`checkout ${request.checkoutId} stayed unanswered: ${JSON.stringify(result)}`);
    return result;
  }

  /** A checkout sent again later, with the same cart: it must answer as it did the first time. */
  private async retryCheckout(request: SentCheckout): Promise<void> {
    const again = await this.sendCheckout(request);
    if (!sameResult(request.result, again)) {
      this.seen.push(`checkout ${request.checkoutId} answered ${describe(request.result)}, and ${describe(again)} when retried`);
    }
  }

  private learnOrders(request: SentCheckout): void {
    // A cart the checkout refuses (planOrders refuses it the same way) places no orders.
    const planned = planOrders(request.checkoutId, request.lines);
    if (!Array.isArray(planned)) return;
    for (const order of planned) {
      if (!this.known.has(order.orderId)) this.known.set(order.orderId, { orderId: order.orderId, buyerId: request.buyerId, sellerId: order.sellerId, status: 'NEW' });
    }
  }

  private drawEager(): { delayMs: number; then: 'confirm' | 'dispute' | 'nothing' } {
    return { delayMs: this.dice.int(0, 40), then: this.dice.pick(['confirm', 'confirm', 'confirm', 'dispute', 'nothing'] as const) };
  }

  /**
   * The seller ships the cart's first order while the checkout is still running, and the buyer
   * confirms (or disputes) at once: people acting on a PAID order whose checkout may yet fail.
   * The checkout gate refuses that (`awaiting_checkout`) until the checkout has completed; the
   * quiet checks then prove that no failed checkout left an order standing.
   */
  private async eagerFollowUp(request: SentCheckout, eager: ReturnType<MarketSimulation['drawEager']>): Promise<void> {
    const planned = planOrders(request.checkoutId, request.lines);
    const first = Array.isArray(planned) ? planned[0] : undefined;
    if (first === undefined) return;
    const order = { orderId: first.orderId, buyerId: request.buyerId, sellerId: first.sellerId };
    const [shipCommandId, nextCommandId] = [this.nextId('f'), this.nextId('f')];
    await new Promise((resolve) => setTimeout(resolve, eager.delayMs));
    const shipped = await this.followUp(order, 'ship', shipCommandId, false);
    this.outcomes.eager.push(shipped ? 'accepted' : 'refused');
    if (shipped && eager.then !== 'nothing') await this.followUp(order, eager.then, nextCommandId, false);
  }

  // -------------------------------------------------------------------------------------------
  // People's follow-ups

  private followUps(): Promise<unknown>[] {
    const work: Promise<unknown>[] = [];
    for (const order of this.known.values()) {
      const action = drawFollowUp(this.dice, order.status);
      if (action !== null) work.push(this.followUp(order, action, this.nextId('f'), this.dice.chance(0.15)));
    }
    const orders = [...this.known.values()];
    for (let count = orders.length === 0 ? 0 : this.dice.int(0, 4); count > 0; count -= 1) {
      // Blind: any action on any order, whatever its status; most are refused, none may harm.
      const action = this.dice.pick<FollowUp>(['ship', 'confirm', 'seller-cancel', 'admin-cancel', 'dispute', 'resolve-refund', 'resolve-release']);
      work.push(this.followUp(this.dice.pick(orders), action, this.nextId('f'), this.dice.chance(0.3)));
    }
    for (let count = orders.length === 0 ? 0 : this.dice.int(0, 2); count > 0; count -= 1) {
      work.push(this.wrongPerson(this.dice.pick(orders), this.dice.int(0, 4)));
    }
    return work;
  }

  /** Sends a person's command (twice at once when `duplicate`); true when it was accepted. */
  private async followUp(order: Pick<KnownOrder, 'orderId' | 'buyerId' | 'sellerId'>, action: FollowUp, commandId: string, duplicate: boolean): Promise<boolean> {
    const command = followUpCommand(order, action, commandId);
    const send = () => this.askUntilAnswered(() => this.market.system.orders.ask(order.orderId, command));
    const results = await Promise.all(duplicate ? [send(), send()] : [send()]);
    this.expectSameEntry(results, `${action} ${commandId} of order ${order.orderId}`);
    const first = results[0];
    this.outcomes.followUps.push(`${action}:${first?.ok ? 'ok' : (first as Failure | undefined)?.code}`);
    return results.some((result) => result.ok);
  }

  /** Someone other than the order's buyer, seller or an admin acts on it: always refused. */
  private async wrongPerson(order: KnownOrder, variant: number): Promise<void> {
    const commandId = this.nextId('x');
    const stranger = { role: 'BUYER', userId: 'stranger' } as const;
    const otherSeller = { role: 'SELLER', userId: order.sellerId === 's1' ? 's2' : 's1' } as const;
    const commands: Extract<OrderCommand, { by: unknown }>[] = [
      { type: 'ShipOrder', commandId, by: { role: 'BUYER', userId: order.buyerId } },
      { type: 'CancelOrder', commandId, by: otherSeller, reason: 'seller_cancelled' },
      { type: 'ConfirmDelivery', commandId, by: stranger },
      { type: 'ResolveDispute', commandId, by: { role: 'SELLER', userId: order.sellerId }, resolution: 'release' },
      { type: 'CancelOrder', commandId, by: { role: 'BUYER', userId: order.buyerId }, reason: 'admin_cancelled' },
    ];
    const command = commands[variant % commands.length];
    if (command === undefined) return;
    const result = await this.askUntilAnswered(() => this.market.system.orders.ask(order.orderId, command));
    if (result.ok || !['forbidden', 'not_your_order', 'unknown_order'].includes(result.code)) {
      this.seen.push(`${command.type} by ${JSON.stringify(command.by)} on order ${order.orderId} answered ${JSON.stringify(result.ok ? 'ok' : result.code)}`);
    }
  }

  private async refreshKnownOrders(): Promise<void> {
    const open = [...this.known.values()].filter((order) => !terminalStatuses.has(order.status));
    const states = await Promise.all(open.map((order) => orderState(this.market, order.orderId)));
    for (const [index, order] of open.entries()) order.status = states[index]?.status ?? order.status;
  }

  // -------------------------------------------------------------------------------------------
  // Checkpoints

  /** Fires what is due, settles, reads everything and checks it. Returns the broken facts. */
  async checkpoint(label: string, options: { readonly rehydrate: boolean } = { rehydrate: false }): Promise<string[]> {
    // A timer that fell due while commands were in flight fires now: late, never lost.
    await this.market.advance(0);
    await settleFully(this.market, `seed ${this.seed} ${label}`);
    const snapshot = await readMarket(this.market, this.keys);
    this.last = snapshot;
    const crashed = this.market.system.runtime.list().filter((resident) => resident.restarts > 0);
    const problems = [
      ...this.seen.splice(0),
      ...checkQuietMarket(snapshot, this.model),
      ...crashed.map((resident) => `actor ${resident.key} crashed ${resident.restarts} times`),
      ...(options.rehydrate ? await rehydrationProblems(this.market, this.keys, snapshot) : []),
    ];
    return problems.map((problem) => `seed ${this.seed}, ${label}: ${problem}`);
  }

  /**
   * The end of the run: the clock moves more than ten days, after which every order must be
   * finished or waiting on a person (a dispute, for an admin); then every dispute is resolved,
   * after which every order is finished, no timer is pending and no money is locked.
   */
  async closeOut(): Promise<string[]> {
    const problems = await this.checkpoint('end of the rounds');
    await this.advance(10 * dayMs + hourMs);
    problems.push(...(await this.checkpoint('ten days later')));
    const disputed = [...(this.last?.orders.values() ?? [])].filter((order) => order.status === 'DISPUTED');
    const stillActive = [...(this.last?.orders.values() ?? [])].filter((order) => !terminalStatuses.has(order.status) && order.status !== 'DISPUTED');
    problems.push(...stillActive.map((order) => `seed ${this.seed}, ten days later: order ${order.orderId} is ${order.status}, neither finished nor waiting on a person`));
    const resolutions = disputed.map((order) => ({ order, action: this.dice.pick<FollowUp>(['resolve-refund', 'resolve-release']), commandId: this.nextId('f') }));
    await Promise.all(resolutions.map(({ order, action, commandId }) => this.followUp(order, action, commandId, false)));
    problems.push(...(await this.checkpoint('disputes resolved', { rehydrate: true })), ...(this.last === null ? [] : closedProblems(this.last).map((problem) => `seed ${this.seed}, closed: ${problem}`)));
    return problems;
  }

}

/** A client's backoff before asking again: 50, 100, 200, 400 ms. */
function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
}

function sameResult(left: CheckoutResult | null | undefined, right: CheckoutResult | null | undefined): boolean {
  if (left === null || left === undefined || right === null || right === undefined) return false;
  if (left.ok && right.ok) return JSON.stringify(left.orderIds) === JSON.stringify(right.orderIds);
  return !left.ok && !right.ok && left.code === right.code;
}

function describe(result: CheckoutResult | null | undefined): string {
  if (result === null || result === undefined) return 'nothing';
  return result.ok ? `ok ${JSON.stringify(result.orderIds)}` : result.code;
}
