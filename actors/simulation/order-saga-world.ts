/**
 * The in-memory world of the order-saga simulation (order-saga.test.ts): the real deciders wired
 * the way the runtime wires them, a hostile network of deliveries, timers, and the coverage the
 * runs count.
 */
import { isRejected, type Decider, type Effect, type EffectOutcome } from '../decider.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { createCheckoutDecider } from '../checkout/checkout.ts';
import { sellerDecider } from '../seller/seller.ts';
import { isKeyOf, parseKey, type ActorKind } from '../keys.ts';
import { walletDecider } from '../wallet/wallet.ts';
import { createOrderDecider } from '../order/order.ts';

export const day = 86_400_000;

export type AnyDecider = Decider<unknown, unknown, unknown, string>;

/** The runtime holds deciders of every kind behind one erased type; so does this simulation. */
export function erase<S, C, E, R extends string>(decider: Decider<S, C, E, R>): AnyDecider {
  return decider as unknown as AnyDecider;
}

export interface SimActor {
  readonly key: string;
  readonly decider: AnyDecider;
  state: unknown;
  /** The journal's (key, commandId) index: a retried command gets its first events back. */
  readonly journal: Map<string, readonly unknown[]>;
  readonly events: unknown[];
}

export type Delivery =
  | { readonly kind: 'effect'; readonly owner: string; readonly effect: Effect }
  | { readonly kind: 'report'; readonly owner: string; readonly stepId: string; readonly command: unknown };

export interface SimTimer {
  readonly key: string;
  readonly dueAt: number;
  readonly command: unknown;
  done: boolean;
}

export interface Coverage {
  outcomes: Map<string, number>;
  duplicates: number;
  lostReplies: number;
  timersFired: number;
  /** Attempts of a step that reached its target after the step's undo had. */
  lateAttemptsAfterUndo: number;
  /** Those of them that the undo's fence refused (`order_closed`): without it they took effect. */
  lateAttemptsFenced: number;
  /** Retry timers that fired with steps still pending and armed the next one. */
  retryTimersRearmed: number;
  /** Ships and people's cancels the checkout gate refused (`awaiting_checkout`). */
  awaitingCheckout: number;
  /** Orders of a completed checkout cancelled before their checkout confirmed them. */
  cancelledBeforeConfirmation: number;
  /** Confirmations that also finished the order's report to its checkout, whose answer was still to come. */
  reportsFinishedByConfirmation: number;
  /** Gates lifted by the answer to the order's report, the one that completed its checkout. */
  gatesLiftedByAnswer: number;
}

/**
 * The order's undo steps and the steps they undo. The runtime sends a step's attempts before it
 * records the step's outcome (saga.ts), so a stale attempt reaches a target after that step's
 * undo did only when a run given up on and restarted while its first report still waits in the
 * order's mailbox; here, a duplicated delivery left in the bag, or a straggler. It must change
 * nothing: either the undone step had taken effect (the attempt is a repeat), or the undo found
 * nothing and fenced the order there (the attempt is refused as `order_closed`). An attempt that
 * takes effect then is a failure: a failed order would keep the buyer's money or the stock.
 */
const undoes: Readonly<Record<string, string>> = {
  void_pending: 'credit_seller',
  refund_buyer: 'debit_buyer',
  release_stock: 'reserve_stock',
};

export class World {
  readonly random: SeededRandom;
  readonly actors = new Map<string, SimActor>();
  /** The `timers` table, by `${key}#${timerId}`, as the timer index keeps it. */
  readonly timers = new Map<string, SimTimer>();
  bag: Delivery[] = [];
  /**
   * Step attempts whose ask timed out while the message still waits in the target's mailbox: the
   * runtime has retried (or given up and restarted) the step, and this copy arrives much later.
   */
  stragglers: Delivery[] = [];
  /** Commands people sent, so one can arrive again (a double click, a client retry). */
  readonly sentByPeople: Array<{ key: string; command: unknown }> = [];
  /** `${owner}#${stepId}` of steps whose undo was accepted at their target (undone or fenced). */
  private readonly undone = new Set<string>();
  now = Date.UTC(2026, 0, 1);
  lastAction = 'setup';
  tick = 0;
  private commandCounter = 0;
  private readonly orderDecider: AnyDecider;
  private readonly checkoutDecider = erase(createCheckoutDecider({ stepRetryMs: 30_000 }));

  constructor(
    readonly seed: number,
    platformFeeBps: number,
  ) {
    this.random = new SeededRandom(seed);
    this.orderDecider = erase(createOrderDecider({ platformFeeBps, releaseAfterMs: 7 * day, shipByMs: 3 * day, stepRetryMs: 30_000 }));
  }

  fail(fact: string): never {
    if (process.env['ORDER_SAGA_DUMP']) {
      for (const actor of this.actors.values()) {
        console.log([actor.key, ...actor.events.map((event) => `    ${JSON.stringify(event)}`)].join('\n'));
      }
    }
    throw new Error(`seed ${this.seed} (rerun with ORDER_SAGA_SEED=${this.seed}), tick ${this.tick}, after ${this.lastAction}: ${fact}`);
  }

  that(condition: boolean, fact: () => string): void {
    if (!condition) this.fail(fact());
  }

  nextCommandId(): string {
    this.commandCounter += 1;
    return `u${this.commandCounter}`;
  }

  actor(key: string): SimActor {
    const existing = this.actors.get(key);
    if (existing) return existing;
    const decider = this.deciderFor(key);
    const created: SimActor = { key, decider, state: decider.initialState, journal: new Map(), events: [] };
    this.actors.set(key, created);
    return created;
  }

  private deciderFor(key: string): AnyDecider {
    const kind = parseKey(key)?.kind;
    if (kind === 'wallet') return erase(walletDecider);
    if (kind === 'seller') return erase(sellerDecider);
    if (kind === 'order') return this.orderDecider;
    if (kind === 'checkout') return this.checkoutDecider;
    return this.fail(`no actor kind serves ${key}`);
  }

  /** What entity.ts `execute` does: decide, answer a retry with its first events, journal, evolve. */
  execute(key: string, command: unknown): EffectOutcome {
    const actor = this.actor(key);
    this.lastAction = `${JSON.stringify(command)} to ${key}`;
    const commandId = actor.decider.commandId(command);
    const original = actor.journal.get(commandId);
    const decision = actor.decider.decide(actor.state, command, this.now);
    if (isRejected(decision)) {
      return original ? { ok: true, events: original } : { ok: false, code: decision.rejected, message: decision.message };
    }
    if (decision.length === 0 || original) return { ok: true, events: original ?? [] };
    actor.journal.set(commandId, decision);
    for (const event of decision) {
      actor.state = actor.decider.evolve(actor.state, event);
      actor.events.push(event);
      this.indexTimer(key, event);
    }
    this.reconcile(actor);
    return { ok: true, events: decision };
  }

  /** The timer index: a timer id that repeats within an actor would be silently dropped there. */
  private indexTimer(key: string, event: unknown): void {
    const timerEvent = event as { type?: string; timerId?: string; dueAt?: number; command?: unknown };
    const id = `${key}#${timerEvent.timerId ?? ''}`;
    if (timerEvent.type === 'TimerScheduled') {
      this.that(!this.timers.has(id), () => `timer ${id} was scheduled twice`);
      this.timers.set(id, { key, dueAt: timerEvent.dueAt ?? 0, command: timerEvent.command, done: false });
    } else if (timerEvent.type === 'TimerCancelled') {
      const timer = this.timers.get(id);
      this.that(timer !== undefined, () => `timer ${id} was cancelled before it was scheduled`);
      if (timer) timer.done = true;
    }
  }

  /** The saga driver: after each message, every pending step not already in flight is started. */
  reconcile(actor: SimActor, duplicateChance = 0): void {
    const process = actor.decider.process;
    if (!process) return;
    for (const effect of process.effects(actor.state)) {
      const inFlight = this.bag.some((delivery) => delivery.owner === actor.key && stepOf(delivery) === effect.stepId);
      if (!inFlight || this.random.chance(duplicateChance)) this.bag.push({ kind: 'effect', owner: actor.key, effect });
    }
  }

  deliver(delivery: Delivery, loseReplyChance: number, coverage: Coverage): void {
    if (delivery.kind === 'report') {
      this.execute(delivery.owner, delivery.command);
      this.reconcile(this.actor(delivery.owner));
      return;
    }
    const { owner: ownerKey, effect } = delivery;
    const target = this.actor(effect.target);
    const journaledBefore = target.events.length;
    const outcome = this.execute(effect.target, effect.command);
    if (this.undone.has(`${ownerKey}#${effect.stepId}`)) {
      coverage.lateAttemptsAfterUndo += 1;
      this.that(target.events.length === journaledBefore, () => `${effect.stepId} of ${ownerKey} took effect at ${effect.target} after its undo`);
      if (!outcome.ok && outcome.code === 'order_closed') coverage.lateAttemptsFenced += 1;
    }
    const undone = undoes[effect.stepId];
    // Only an undo that was accepted there (undone, or fenced) closes the step at its target.
    if (undone !== undefined && outcome.ok) this.undone.add(`${ownerKey}#${undone}`);
    if (this.random.chance(loseReplyChance)) {
      coverage.lostReplies += 1;
      return;
    }
    const command = this.actor(ownerKey).decider.process?.stepCompleted(effect.stepId, outcome);
    this.bag.push({ kind: 'report', owner: ownerKey, stepId: effect.stepId, command });
  }

  /** Lets each straggler arrive now with this chance (all of them with 1). */
  releaseStragglers(chance: number): void {
    const staying: Delivery[] = [];
    for (const straggler of this.stragglers) (this.random.chance(chance) ? this.bag : staying).push(straggler);
    this.stragglers = staying;
  }

  /** The scheduler: the earliest pending timer fires once the clock reaches it (late, never early). */
  fireNextTimer(coverage: Coverage, twice: boolean): boolean {
    let next: SimTimer | undefined;
    for (const timer of this.timers.values()) if (!timer.done && (next === undefined || timer.dueAt < next.dueAt)) next = timer;
    if (next === undefined) return false;
    this.now = Math.max(this.now, next.dueAt);
    const before = this.actor(next.key).events.length;
    this.execute(next.key, next.command);
    if ((next.command as { type?: string }).type === 'RetrySteps' && this.actor(next.key).events.length > before) coverage.retryTimersRearmed += 1;
    if (twice) this.execute(next.key, next.command);
    next.done = true;
    coverage.timersFired += 1;
    this.reconcile(this.actor(next.key));
    return true;
  }

  ofKind<State>(kind: ActorKind): Array<SimActor & { state: State }> {
    return [...this.actors.values()].filter((actor) => isKeyOf(kind, actor.key)) as Array<SimActor & { state: State }>;
  }
}

export function stepOf(delivery: Delivery): string {
  return delivery.kind === 'effect' ? delivery.effect.stepId : delivery.stepId;
}
