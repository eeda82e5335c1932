/**
 * What the runtime does after each message an actor handled (entity-actor.ts, EntityHooks): keep
 * the resident's latest state for waits, settle and start its saga steps, wake its waiters, and
 * stop it once it is at rest (Decider.atRest).
 */
import type { Decider } from '../actors/decider.ts';
import type { CommitLog } from './commit-log.ts';
import type { EntityHooks } from './entity-actor.ts';
import type { Resident } from './resident.ts';
import type { SagaDriver } from './saga.ts';
import type { Waiters } from './waiters.ts';

export interface AfterMessageParts {
  readonly log: CommitLog;
  readonly saga: SagaDriver;
  readonly waiters: Waiters;
  /** Whether this resident is still the runtime's one for its key (not stopped, not replaced). */
  isCurrent(resident: Resident): boolean;
  /** Stops the actor at `key` a turn later if it is at rest and idle then. */
  retireSoon(key: string): void;
}

export function afterMessageHooks(resident: Resident, decider: Decider<unknown, unknown, unknown, string>, parts: AfterMessageParts): EntityHooks {
  const { key } = resident;
  const processManager = decider.process;
  return {
    afterMessage: (cell, settledStep) => {
      resident.latest = cell;
      resident.atRest = decider.atRest?.(cell.state) === true;
      // A step is settled once its record is durable; until then it stays in flight (and its
      // run re-runs it if the record is rolled back, saga.ts). A step that settles then starts
      // the steps the per-actor bound held back, from the actor's latest state.
      if (settledStep !== null) {
        void parts.log.whenDurable(cell.ticket).then((lost) => {
          if (lost !== null) return;
          parts.saga.settle(key, settledStep);
          const latest = resident.latest;
          if (processManager !== undefined && latest !== undefined && parts.isCurrent(resident)) parts.saga.reconcile(key, processManager, latest.state, null, latest.ticket);
        });
      }
      if (processManager !== undefined) parts.saga.reconcile(key, processManager, cell.state, settledStep, cell.ticket);
      parts.waiters.notify(key, cell.state, cell.seq, cell.ticket);
      if (resident.atRest) void parts.log.whenDurable(cell.ticket).then(() => parts.retireSoon(key));
    },
  };
}
