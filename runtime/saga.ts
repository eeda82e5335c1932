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
   * `dependsOn` lists the tickets the command rests on (the run's basis, the answer it records):
   * it is refused as `rolled_back` if any of them was lost.
   */
  ask(
    key: string,
    command: unknown,
    effectStep: string | undefined,
    dependsOn: readonly number[],
  ): Promise<{ readonly result: CommandResult<unknown, unknown>; readonly ticket: number }>;
  /** Null once `ticket` is durable, or the failure that lost it (commit-log.ts). */
  whenDurable(ticket: number): Promise<Failure | null>;
  /** Whether `ticket` was lost with its batch. */
  isLost(ticket: number): boolean;
  /** Has the actor `key` reload if it must and reconcile again (a message through its mailbox). */
  resume(key: string): void;
  /** The actor `key` has no step in flight any more (none running, retrying or parked). */
  stepsEnded?(key: string): void;
}



type AnyProcess = ProcessManager<unknown, unknown>;

interface EffectRun {
  readonly effect: Effect;
  readonly manager: AnyProcess;
  /** The log ticket of the state that listed the step (0: durable state). If it is lost, the
   *  run is stale: its effect and its outcome would rest on a cause that never happened. */
  readonly basis: number;
  /** A step finished by the target's own report (Effect.finishedByReport) that succeeded
   *  durably: it holds no slot and asks nothing more, and stays only so that the step is not
   *  started again, until the actor's state stops listing it (reconcile). */
  parked: boolean;
  /** The actor's state stopped listing the step while the run was still asking or waiting:
   *  the report came first, so the run ends instead of parking. */
  unlisted: boolean;
}

/** How a run ended: recorded (or given up for now), stale (its basis was rolled back), or
 *  parked (a success the target's own report will record). */
type RunEnd = 'done' | 'stale' | 'parked';

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

  /** Effects of this actor in flight (running, retrying, reporting or queued for a slot), and
   *  parked ones (waiting for their target's report). */
  inFlight(key: string): number {
    return this.runs.get(key)?.size ?? 0;
  }

  /** Effects of this actor that still ask or record something: parked ones do neither, so they
   *  do not keep the actor resident. */
  asking(key: string): number {
    return this.running(this.runs.get(key));
  }

  /**
   * The actor stopped (passivated, dropped with its shard, or stopped after crashes): its parked
   * runs go with it. If its state still lists such a step when it runs again, the step is asked
   * again, and the target's idempotency gives the same answer.
   */
  forgetParked(key: string): void {
    const steps = this.runs.get(key);
    if (steps === undefined) return;
    for (const [stepId, run] of steps) if (run.parked) steps.delete(stepId);
    if (steps.size === 0) this.runs.delete(key);
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
   * message. `basis` is the log ticket `state` rests on. Never throws: it runs inside the
   * actor's message loop.
   */
  reconcile(key: string, manager: AnyProcess, state: unknown, settledStep: string | null, basis: number): void {
    if (this.stopped) return;
    let effects: readonly Effect[];
    try {
      effects = manager.effects(state);
    } catch (error) {
      this.logger.error({ key, err: error }, 'process.effects threw; no saga step started');
      return;
    }
    this.unpark(key, effects);
    for (const effect of effects) {
      const steps = this.runs.get(key);
      if (steps?.has(effect.stepId)) continue;
      if (effect.stepId === settledStep) {
        this.logger.error({ key, stepId: effect.stepId }, 'step still pending right after its outcome was recorded; not re-run until the next message');
        continue;
      }
      // The rest start when a run of this actor settles (the actor reconciles again then), or,
      // if its runs give up instead, at the actor's next message. Parked runs ask nothing.
      if (this.running(steps) >= this.limits.sagaEffectsPerActorMax) return;
      if (this.active >= this.limits.sagaEffectsMax && this.queue.length >= this.limits.sagaEffectsQueuedMax) {
        this.logger.warn({ key, stepId: effect.stepId, queued: this.queue.length }, 'saga effect queue full; the step starts at the actor\'s next message');
        return;
      }
      this.start(key, { effect, manager, basis, parked: false, unlisted: false });
    }
  }

  /** Drops the parked runs of steps the actor no longer lists: their report has been recorded. */
  private unpark(key: string, effects: readonly Effect[]): void {
    const steps = this.runs.get(key);
    if (steps === undefined) return;
    for (const [stepId, run] of steps) {
      if (run.effect.finishedByReport !== true || effects.some((effect) => effect.stepId === stepId)) continue;
      if (run.parked) this.settle(key, stepId);
      else run.unlisted = true;
    }
  }

  private running(steps: ReadonlyMap<string, EffectRun> | undefined): number {
    let running = 0;
    for (const run of steps?.values() ?? []) if (!run.parked) running += 1;
    return running;
  }

  /** The actor accepted the outcome of `stepId`: it is no longer in flight. */
  settle(key: string, stepId: string): void {
    const steps = this.runs.get(key);
    if (steps === undefined) return;
    steps.delete(stepId);
    if (steps.size > 0) return;
    this.runs.delete(key);
    this.host.stepsEnded?.(key);
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
    let end: RunEnd = 'done';
    try {
      if (!(await this.acquire())) return;
      try {
        end = await this.runToRecord(key, run);
      } finally {
        this.release();
      }
    } catch (error) {
      // Only a bug gets here (stepCompleted threw, say); the step stays pending in the journal.
      this.logger.error({ key, stepId, target, err: error }, 'saga step failed unexpectedly');
    } finally {
      if (end === 'parked' && !run.unlisted) run.parked = true;
      else this.forget(key, run);
    }
    // The state that listed the step was rolled back. The actor reloads its durable state and
    // lists what is pending there; a run of the same step started meanwhile (by a retried
    // command) was skipped while this one held its place, so it starts now.
    if (end === 'stale' && !this.stopped) this.host.resume(key);
  }

  /**
   * An answer is speculative until durable: if its entry was rolled back before the outcome was
   * recorded, the record is refused and the step runs again. Every ask of the target counts
   * against one budget of `sagaEffectAttemptsMax`.
   */
  private async runToRecord(key: string, run: EffectRun): Promise<RunEnd> {
    const budget = { attempts: 0 };
    for (;;) {
      if (this.host.isLost(run.basis)) return 'stale';
      const answer = await this.runEffect(key, run, budget);
      if (answer === 'stale' || answer === null) return answer ?? 'done';
      if (answer.outcome.ok && run.effect.finishedByReport === true) {
        // The target reports only what it journaled: once its answer is durable, the report
        // will come. A lost answer means the target never took the command: ask again.
        if ((await this.host.whenDurable(answer.ticket)) === null) return 'parked';
        if (this.host.isLost(run.basis)) return 'stale';
        continue;
      }
      const recorded = await this.report(key, run, answer.outcome, answer.ticket);
      if (recorded !== 'rolled_back') return recorded;
    }
  }

  /** Asks the target until it answers for real; null when it never did (or we are stopping),
   *  'stale' when the run's basis was lost meanwhile. */
  private async runEffect(key: string, run: EffectRun, budget: { attempts: number }): Promise<{ outcome: EffectOutcome; ticket: number } | 'stale' | null> {
    const { effect } = run;
    while (budget.attempts < this.limits.sagaEffectAttemptsMax) {
      budget.attempts += 1;
      const attempt = budget.attempts;
      if (this.stopped) return null;
      const { result, ticket } = await this.host.ask(effect.target, effect.command, undefined, [run.basis]);
      const outcome = outcomeOf(result);
      if (outcome !== null) return { outcome, ticket };
      if (this.host.isLost(run.basis)) return 'stale';
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
  private async report(key: string, run: EffectRun, outcome: EffectOutcome, answer: number): Promise<RunEnd | 'rolled_back'> {
    const { stepId } = run.effect;
    const command = run.manager.stepCompleted(stepId, outcome);
    for (let attempt = 1; attempt <= this.limits.sagaEffectAttemptsMax; attempt += 1) {
      if (this.stopped) return 'done';
      const { result, ticket } = await this.host.ask(key, command, stepId, [answer, run.basis]);
      // The step is done only once its record is durable: a record lost with its batch (its
      // cause, or anything before it, failed to commit) means running the step again, unless
      // the state that listed it was lost too.
      if (result.ok && (await this.host.whenDurable(ticket)) === null) return 'done';
      if (result.ok || result.code === 'rolled_back') return this.host.isLost(run.basis) ? 'stale' : 'rolled_back';
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
