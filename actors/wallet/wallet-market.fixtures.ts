/**
 * The market the wallet's market property (wallet-market.property.test.ts) plays: wallets with
 * the runtime's command-id index, orders walking the order saga's steps, and delivery that
 * decides, journals and applies as the runtime would, counting every order fact once.
 */
import { assertNever, isRejected } from '../decider.ts';
import type { SeededRandom } from '../testing/seeded-random.ts';
import { commandId, decide, evolve, initialState, type WalletCommand, type WalletDecision, type WalletEvent, type WalletState } from './wallet.ts';
import { isOrderStep, type Checker } from './wallet-property.fixtures.ts';

interface SimWallet {
  readonly name: string;
  state: WalletState;
  /** Deposit/Withdraw are idempotent by commandId in the runtime's journal; this models that index. */
  readonly journalCommandIds: Set<string>;
}

export type Outcome = 'release' | 'refund' | 'cancel';
type Stage = 'placed' | 'paid' | 'locked' | 'released' | 'voided' | 'done' | 'failed';

export interface SimOrder {
  readonly orderId: string;
  readonly seller: SimWallet;
  readonly amountMinor: number;
  readonly feeMinor: number;
  /**
   * release: escrow released to the seller; refund: dispute or expiry after payment, seller voided;
   * cancel: compensated before the seller was credited (a failed multi-seller checkout).
   */
  readonly outcome: Outcome;
  stage: Stage;
  /** The wallet applied the last step but the saga never heard back, so it knows less than the wallets. */
  replyLost: boolean;
  /** Steps the wallets accepted, for stale retries. */
  readonly doneSteps: Array<{ wallet: SimWallet; command: WalletCommand }>;
  /** A failed order's refused debit, whose late attempt the refund's fence must refuse. */
  refusedDebit: { wallet: SimWallet; command: WalletCommand } | null;
}

export interface Market {
  readonly random: SeededRandom;
  readonly check: Checker;
  readonly buyer: SimWallet;
  readonly sellers: readonly SimWallet[];
  readonly platform: SimWallet;
  readonly orders: SimOrder[];
  /** How often each (orderId, event type) fact was journaled, across all wallets. */
  readonly facts: Map<string, number>;
  depositsMinor: number;
  withdrawalsMinor: number;
  commandCount: number;
}

export interface MarketCoverage {
  outcomes: Map<string, number>;
  lostReplies: number;
  duplicates: number;
  staleRetries: number;
  conflicts: number;
  wrongBranch: number;
  lateAttemptsFenced: number;
}

export function wallet(name: string): SimWallet {
  return { name, state: initialState, journalCommandIds: new Set() };
}

/** Delivers a command to a wallet as the runtime would: decide, then journal and apply the events. */
export function deliver(market: Market, target: SimWallet, command: WalletCommand): WalletDecision {
  market.check.lastAction = `${JSON.stringify(command)} to ${target.name}`;
  market.commandCount += 1;
  if (!isOrderStep(command) && target.journalCommandIds.has(commandId(command))) return [];
  const decision = decide(target.state, command);
  if (isRejected(decision)) return decision;
  if (decision.length > 0) target.journalCommandIds.add(commandId(command));
  for (const event of decision) {
    target.state = evolve(target.state, event);
    recordFact(market, event);
  }
  return decision;
}

function recordFact(market: Market, event: WalletEvent): void {
  if (event.type === 'Deposited') market.depositsMinor += event.amountMinor;
  if (event.type === 'Withdrawn') market.withdrawalsMinor += event.amountMinor;
  if (!('orderId' in event)) return;
  const key = `${event.orderId}:${event.type}`;
  const count = (market.facts.get(key) ?? 0) + 1;
  market.facts.set(key, count);
  market.check.that(count === 1, () => `${event.type} happened ${count} times for order ${event.orderId}`);
  const has = (type: WalletEvent['type']): boolean => market.facts.has(`${event.orderId}:${type}`);
  const { orderId } = event;
  market.check.that(!(has('PendingReleased') && has('OrderRefunded')), () => `order ${orderId} was released and refunded`);
  market.check.that(!(has('PendingReleased') && has('PendingVoided')), () => `order ${orderId} was released and voided`);
}

/** The saga's next step for an order, or undefined when it has finished. */
export function nextStep(market: Market, order: SimOrder): { wallet: SimWallet; command: WalletCommand } | undefined {
  const { orderId, amountMinor, feeMinor } = order;
  switch (order.stage) {
    case 'placed':
      return { wallet: market.buyer, command: { type: 'DebitForOrder', orderId, amountMinor } };
    case 'paid':
      return order.outcome === 'cancel'
        ? { wallet: market.buyer, command: { type: 'RefundOrder', orderId, amountMinor } }
        : { wallet: order.seller, command: { type: 'CreditPending', orderId, amountMinor } };
    case 'locked':
      return order.outcome === 'release'
        ? { wallet: order.seller, command: { type: 'ReleasePending', orderId, feeMinor } }
        : { wallet: order.seller, command: { type: 'VoidPending', orderId } };
    case 'released':
      return { wallet: market.platform, command: { type: 'CreditFee', orderId, amountMinor: feeMinor } };
    case 'voided':
      return { wallet: market.buyer, command: { type: 'RefundOrder', orderId, amountMinor } };
    case 'done':
    case 'failed':
      return undefined;
    default:
      return assertNever(order.stage);
  }
}

export function stageAfter(order: SimOrder): Stage {
  switch (order.stage) {
    case 'placed':
      return 'paid';
    case 'paid':
      return order.outcome === 'cancel' ? 'done' : 'locked';
    case 'locked':
      return order.outcome === 'release' ? 'released' : 'voided';
    case 'released':
    case 'voided':
      return 'done';
    case 'done':
    case 'failed':
      return order.stage;
    default:
      return assertNever(order.stage);
  }
}
