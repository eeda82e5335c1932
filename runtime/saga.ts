/**
 * The saga driver: runs the cross-actor steps a process manager's state is waiting on
 * (decider.ts, ProcessManager) and feeds each outcome back to the actor as a command.
 *
 * After every message an actor with a `process` handles, the runtime calls `reconcile` with the
 * actor's new state. Each effect the state lists that is not already in flight for that actor is
 * started: ask the target; on a transient runtime failure retry with capped exponential backoff;
 * on an answer (the target's events, or its rejection) send `stepCompleted` to the actor itself,
 * through its mailbox like any command. That command names the step (`effectStep`), and once the
 * actor accepted it, the step stops being in flight (`settle`) before the actor reconciles again.
 *
 * Why this is safe to repeat: every effect's command is idempotent at its target (a retry
 * returns the original events, entity.ts), and `stepCompleted` carries the step in its command
 * id. After a crash the journal still holds the step as pending, so the next runtime re-runs it
 * when the actor next handles a message (its retry timer, or any ask) and gets the same answer.
 *
 * What is only in memory, and therefore may be lost without harm: the in-flight set, the retry
 * loop and its backoff. Giving up after `sagaEffectAttemptsMax` leaves the step pending in the
 * journal; the actor's next message starts it again.
 */
import type { Failure } from './ask.ts';
import { isTransientFailure } from './ask.ts';
import type { Effect, EffectOutcome, ProcessManager } from '../actors/decider.ts';
import type { CommandResult } from './entity.ts';
import type { Limits } from './limits.ts';
import type { Logger } from './logger.ts';

/** What the driver needs from the runtime. */
export interface SagaHost {
  /**
   * Asks the actor `key`, answered at once even when the answer is not durable yet, with the
   * log ticket it depends on. `effectStep` marks the command that records that step's outcome;
   * `dependsOn` is the ticket of the answer it records, refused as `rolled_back` if that was lost.
   */
  ask(key: string, command: unknown, effectStep?: string, dependsOn?: number): Promise<{ readonly result: CommandResult<unknown, unknown>; readonly ticket: number }>;
  /** Null once `ticket` is durable, or the failure that lost it (commit-log.ts). */
  whenDurable(ticket: number): Promise<Failure | null>;
}



type AnyProcess = ProcessManager<unknown, unknown>;

interface EffectRun {
  readonly effect: Effect;
  readonly manager: AnyProcess;
}

/** The outcome to record for a target's answer, or null when the answer was transient. */
export function outcomeOf(result: CommandResult<unknown, unknown>): EffectOutcome | null {
  if (result.ok) return { ok: true, events: result.events };
  if (isTransientFailure(result)) return null;
  return { ok: false, code: result.code, message: result.message };
}

export function backoffMs(attempt: number, limits: Limits): number {
  return Math.min(limits.sagaRetryMaxMs, limits.sagaRetryBaseMs * 2 ** Math.max(0, attempt - 1));
}

export class SagaDriver {
  /** Actor key → stepId → the run of that step. Keyed by actor key rather than by resident, so
   *  an actor restarted while its step still runs does not start the same step a second time. */
  private readonly runs = new Map<string, Map<string, EffectRun>>();
  /** Effects holding one of the `sagaEffectsMax` global slots. */
  private active = 0;
  /** Effects waiting for a slot, oldest first; each resolves true when it got one. */
  private readonly queue: ((granted: boolean) => void)[] = [];
  private readonly sleepers = new Set<() => void>();
  private stopped = false;

  constructor(
    private readonly host: SagaHost,
    private readonly limits: Limits,
    private readonly logger: Logger,
  ) {}

  /** Effects of this actor in flight (running, retrying, reporting or queued for a slot). */
  inFlight(key: string): number {
    return this.runs.get(key)?.size ?? 0;
  }

  /** Effects waiting for a global slot. */
  queued(): number {
    return this.queue.length;
  }

  totalInFlight(): number {
    let total = 0;
    for (const steps of this.runs.values()) total += steps.size;
    return total;
  }

  /**
   * Starts every effect `state` lists that is not in flight, within the per-actor and global
   * bounds. `settledStep` is the step whose outcome the actor just recorded: a state that still
   * lists it is a decider bug, and re-running it at once would loop, so it waits for the next
   * message. Never throws: it runs inside the actor's message loop.
   */
  reconcile(key: string, manager: AnyProcess, state: unknown, settledStep: string | null): void {
    if (this.stopped) return;
    let effects: readonly Effect[];
    try {
      effects = manager.effects(state);
    } catch (error) {
      this.logger.error({ key, err: error }, 'process.effects threw; no saga step started');
      return;
    }
    for (const effect of effects) {
      const steps = this.runs.get(key);
      if (steps?.has(effect.stepId)) continue;
      if (effect.stepId === settledStep) {
        this.logger.error({ key, stepId: effect.stepId }, 'step still pending right after its outcome was recorded; not re-run until the next message');
        continue;
      }
      // The rest start when a run of this actor settles (the actor reconciles again then), or,
      // if its runs give up instead, at the actor's next message.
      if ((steps?.size ?? 0) >= this.limits.sagaEffectsPerActorMax) return;
      if (this.active >= this.limits.sagaEffectsMax && this.queue.length >= this.limits.sagaEffectsQueuedMax) {
        this.logger.warn({ key, stepId: effect.stepId, queued: this.queue.length }, 'saga effect queue full; the step starts at the actor\'s next message');
        return;
      }
      this.start(key, { effect, manager });
    }
  }

  /** The actor accepted the outcome of `stepId`: it is no longer in flight. */
  settle(key: string, stepId: string): void {
    const steps = this.runs.get(key);
    if (steps === undefined) return;
    steps.delete(stepId);
    if (steps.size === 0) this.runs.delete(key);
  }

  /** No effect starts, retries or reports after this; asks already sent may still land. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    for (const waiter of this.queue.splice(0)) waiter(false);
  }

  private start(key: string, run: EffectRun): void {
    let steps = this.runs.get(key);
    if (steps === undefined) {
      steps = new Map();
      this.runs.set(key, steps);
    }
    steps.set(run.effect.stepId, run);
    void this.drive(key, run);
  }

  private async drive(key: string, run: EffectRun): Promise<void> {
    const { stepId, target } = run.effect;
    try {
      if (!(await this.acquire())) return;
      try {
        // An answer is speculative until durable: if its entry was rolled back before the
        // outcome was recorded, the record is refused and the step runs again on reloaded state.
        // Every ask of the target counts against one budget of `sagaEffectAttemptsMax`.
        const budget = { attempts: 0 };
        for (;;) {
          const answer = await this.runEffect(key, run.effect, budget);
          if (answer === null) break;
          if ((await this.report(key, run, answer.outcome, answer.ticket)) !== 'rolled_back') break;
        }
      } finally {
        this.release();
      }
    } catch (error) {
      // Only a bug gets here (stepCompleted threw, say); the step stays pending in the journal.
      this.logger.error({ key, stepId, target, err: error }, 'saga step failed unexpectedly');
    } finally {
      this.forget(key, run);
    }
  }

  /** Asks the target until it answers for real; null when it never did (or we are stopping). */
  private async runEffect(key: string, effect: Effect, budget: { attempts: number }): Promise<{ outcome: EffectOutcome; ticket: number } | null> {
    while (budget.attempts < this.limits.sagaEffectAttemptsMax) {
      budget.attempts += 1;
      const attempt = budget.attempts;
      if (this.stopped) return null;
      const { result, ticket } = await this.host.ask(effect.target, effect.command);
      const outcome = outcomeOf(result);
      if (outcome !== null) return { outcome, ticket };
      this.logTransient(key, effect, result as Failure, attempt);
      if (attempt < this.limits.sagaEffectAttemptsMax) await this.sleep(backoffMs(attempt, this.limits));
    }
    if (!this.stopped) {
      this.logger.warn({ key, stepId: effect.stepId, target: effect.target, attempts: this.limits.sagaEffectAttemptsMax },
        'saga step gave up for now; it runs again at the actor\'s next message');
    }
    return null;
  }

  /** Sends the outcome to the actor itself; its command id makes a repeat harmless. */
  private async report(key: string, run: EffectRun, outcome: EffectOutcome, dependsOn: number): Promise<'done' | 'rolled_back'> {
    const { stepId } = run.effect;
    const command = run.manager.stepCompleted(stepId, outcome);
    for (let attempt = 1; attempt <= this.limits.sagaEffectAttemptsMax; attempt += 1) {
      if (this.stopped) return 'done';
      const { result, ticket } = await this.host.ask(key, command, stepId, dependsOn);
      // The step is done only once its record is durable: a record lost with its batch (its
      // cause, or anything before it, failed to commit) means running the step again.
      if (result.ok) return (await this.host.whenDurable(ticket)) === null ? 'done' : 'rolled_back';
      if (result.code === 'rolled_back') return 'rolled_back';
      if (!isTransientFailure(result)) {
        this.logger.error({ key, stepId, code: result.code, message: result.message }, 'actor rejected the outcome of its own step');
        return 'done';
      }
      if (attempt < this.limits.sagaEffectAttemptsMax) await this.sleep(backoffMs(attempt, this.limits));
    }
    if (!this.stopped) this.logger.warn({ key, stepId }, 'could not record a step outcome; the step runs again at the actor\'s next message');
    return 'done';
  }

  private logTransient(key: string, effect: Effect, result: Failure, attempt: number): void {
    const fields = { key, stepId: effect.stepId, target: effect.target, code: result.code, attempt };
    if (result.code === 'unknown_actor_kind') this.logger.error(fields, 'saga step targets an actor kind nobody serves; retrying');
    else this.logger.debug(fields, 'saga step hit a transient failure; retrying');
  }

  private forget(key: string, run: EffectRun): void {
    const steps = this.runs.get(key);
    // A later run of the same step may already have replaced this one after it settled.
    if (steps?.get(run.effect.stepId) !== run) return;
    this.settle(key, run.effect.stepId);
  }

  private acquire(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.active < this.limits.sagaEffectsMax) {
      this.active += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next !== undefined) next(true);
    else this.active -= 1;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }
}
