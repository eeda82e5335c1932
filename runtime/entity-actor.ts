/**
 * The nact behaviour of one entity actor: the message loop around entity.ts plus its
 * supervision. State held by nact is a Cell: `{ loaded: false }` until the first message
 * rehydrates it, and again after a crash resets it, so a restart always starts from durable state;
 * a cell whose latest entry was rolled back (commit-log.ts) is reloaded the same way.
 */
import { failure } from './ask.ts';
import type { Decider } from '../actors/decider.ts';
import { assertNever } from '../actors/decider.ts';
import type { Cell, EntityContext, EntityMessage, Loaded } from './entity.ts';
import { execute, rehydrate } from './entity.ts';
import type { ActorBehaviour } from './nact.ts';
import type { Resident } from './resident.ts';
import { judgeCrash } from './supervision.ts';

type Message = EntityMessage<unknown, unknown, unknown>;

/** What the runtime does after each message an actor handled (runs its sagas, wakes waiters). */
export interface EntityHooks {
  /**
   * `cell` is the actor's state after the message (the rehydrated one for a first message);
   * `settledStep` names the saga step whose outcome the message recorded, once accepted.
   */
  afterMessage(cell: Loaded<unknown>, settledStep: string | null): void;
}

const noHooks: EntityHooks = { afterMessage: () => {} };

interface Handled {
  readonly cell: Loaded<unknown>;
  readonly settledStep: string | null;
}

export function createEntityBehaviour(
  decider: Decider<unknown, unknown, unknown, string>,
  deps: EntityContext,
  resident: Resident,
  forget: () => void,
  hooks: EntityHooks = noHooks,
): ActorBehaviour<Cell<unknown>, Message> {
  const key = resident.key;

  async function handleLoaded(cell: Loaded<unknown>, message: Message): Promise<Handled> {
    switch (message.type) {
      case 'command': {
        const outcome = await execute(decider, deps, key, cell, message.command, message.dependsOn);
        resident.lastSeq = outcome.cell.seq;
        message.reply(outcome.result, outcome.ticket);
        const settledStep = message.effectStep !== undefined && outcome.result.ok ? message.effectStep : null;
        return { cell: outcome.cell, settledStep };
      }
      case 'inspect':
        message.reply({ ok: true, state: cell.state, seq: cell.seq }, cell.ticket);
        return { cell, settledStep: null };
      default:
        return assertNever(message);
    }
  }

  function runHooks(handled: Handled): void {
    try {
      hooks.afterMessage(handled.cell, handled.settledStep);
    } catch (error) {
      // The message is answered and journaled already; a fault here must not crash the actor.
      deps.logger.error({ key, err: error }, 'after-message hook failed');
    }
  }

  return {
    initialState: { loaded: false },
    async handle(cell, message) {
      let handled: Handled;
      try {
        // A state resting on a lost entry (its batch failed) is dropped here, at the actor's
        // next message: it reloads the durable state, as a restart would.
        const current = cell.loaded && deps.log.lostReason(cell.ticket) === null ? cell : null;
        const loaded = current ?? (await rehydrate(decider, deps, key));
        resident.lastSeq = loaded.seq;
        handled = await handleLoaded(loaded, message);
      } catch (error) {
        // Answer now so the caller is not left waiting for a timeout, then let supervision
        // restart the actor from durable state. The outcome of an append that threw is unknown;
        // a retry with the same command id returns it if it was journaled.
        message.reply(failure('unavailable', 'the actor could not complete this command; retry it'), 0);
        throw error;
      }
      runHooks(handled);
      return handled.cell;
    },
    async onCrash(message, error, pending) {
      const verdict = judgeCrash(resident, performance.now(), deps.limits);
      if (verdict.restart) {
        deps.logger.warn({ key, err: error, backoffMs: verdict.backoffMs, message: message?.type }, 'actor crashed; restarting');
        await new Promise((resolve) => setTimeout(resolve, verdict.backoffMs));
        return 'reset';
      }
      deps.logger.error({ key, err: error, restarts: resident.crashes.length }, 'actor crashed too often; stopping');
      for (const waiting of pending) waiting.reply(failure('actor_stopped', `${key} stopped after repeated failures`), 0);
      forget();
      return 'stop';
    },
    onPolicyFailure(error) {
      deps.logger.error({ key, err: error }, 'crash policy failed; stopping actor');
      forget();
    },
  };
}
