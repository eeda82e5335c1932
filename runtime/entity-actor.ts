/**
 * The nact behaviour of one entity actor: the message loop around entity.ts plus its
 * supervision. State held by nact is a Cell: `{ loaded: false }` until the first message
 * rehydrates it, and again after a crash resets it, so a restart always starts from durable state.
 */
import { failure } from './ask.ts';
import type { Decider } from './decider.ts';
import { assertNever } from './decider.ts';
import type { Cell, EntityDeps, EntityMessage, Loaded } from './entity.ts';
import { execute, rehydrate } from './entity.ts';
import type { ActorBehaviour } from './nact.ts';
import type { Resident } from './runtime.ts';
import { judgeCrash } from './supervision.ts';

type Message = EntityMessage<unknown, unknown, unknown>;

export function createEntityBehaviour(
  decider: Decider<unknown, unknown, unknown, string>,
  deps: EntityDeps,
  resident: Resident,
  forget: () => void,
): ActorBehaviour<Cell<unknown>, Message> {
  const key = resident.key;

  async function handleLoaded(cell: Loaded<unknown>, message: Message): Promise<Loaded<unknown>> {
    switch (message.type) {
      case 'command': {
        const outcome = await execute(decider, deps, key, cell, message.command);
        resident.lastSeq = outcome.cell.seq;
        message.reply(outcome.result);
        return outcome.cell;
      }
      case 'inspect':
        message.reply({ ok: true, state: cell.state, seq: cell.seq });
        return cell;
      default:
        return assertNever(message);
    }
  }

  return {
    initialState: { loaded: false },
    async handle(cell, message) {
      try {
        const loaded = cell.loaded ? cell : await rehydrate(decider, deps, key);
        resident.lastSeq = loaded.seq;
        return await handleLoaded(loaded, message);
      } catch (error) {
        // Answer now so the caller is not left waiting for a timeout, then let supervision
        // restart the actor from durable state. The outcome of an append that threw is unknown;
        // a retry with the same command id returns it if it was journaled.
        message.reply(failure('unavailable', 'the actor could not complete this command; retry it'));
        throw error;
      }
    },
    async onCrash(message, error, pending) {
      const verdict = judgeCrash(resident, performance.now(), deps.limits);
      if (verdict.restart) {
        deps.logger.warn({ key, err: error, backoffMs: verdict.backoffMs, message: message?.type }, 'actor crashed; restarting');
        await new Promise((resolve) => setTimeout(resolve, verdict.backoffMs));
        return 'reset';
      }
      deps.logger.error({ key, err: error, restarts: resident.crashes.length }, 'actor crashed too often; stopping');
      for (const waiting of pending) waiting.reply(failure('actor_stopped', `${key} stopped after repeated failures`));
      forget();
      return 'stop';
    },
    onPolicyFailure(error) {
      deps.logger.error({ key, err: error }, 'crash policy failed; stopping actor');
      forget();
    },
  };
}
