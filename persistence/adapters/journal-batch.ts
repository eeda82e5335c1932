/**
 * How a group-commit batch of appends is cut into statements, shared by both journal adapters.
 */
import type { NewEntry } from './journal.ts';

export interface PendingAppend {
  readonly key: string;
  readonly expectedSeq: number;
  readonly entry: NewEntry;
}

/**
 * Cuts a batch into rounds in which every key appears at most once, keeping each key's appends
 * in arrival order; returns indices into `appends`.
 *
 * One statement checks every row against the stored max seq as it was before the statement, so
 * two appends to one key in one statement would both be judged against the same old max: a
 * writer's legitimate seq 2 would be refused because seq 1 is in the same statement. Running a
 * key's later appends in later rounds gives them exactly the outcome a serial writer would.
 * Appends to one key rarely share a batch (an actor awaits each append), so nearly every batch
 * is a single round.
 */
export function roundsByKey(appends: readonly PendingAppend[]): number[][] {
  const rounds: number[][] = [];
  const appendsSeen = new Map<string, number>();
  appends.forEach((append, index) => {
    const round = appendsSeen.get(append.key) ?? 0;
    appendsSeen.set(append.key, round + 1);
    (rounds[round] ??= []).push(index);
  });
  return rounds;
}
