/**
 * A journal for the commit pipeline's tests whose batches wait at a gate: `decide` commits the
 * oldest held batch, refuses it (as a store outage would), or fails it with a given error (a
 * BatchRefused, say), and an open gate lets every batch through. `batches` lists every batch that
 * reached the store, as `key#seq`.
 */
import type { EntryPosition, Journal, JournalEntry, ShardFence } from '../../persistence/adapters/journal.ts';

/** true commits the batch; false fails it as a store outage; an Error fails it with that error. */
export type Verdict = boolean | Error;

export interface Gate {
  /** Batches waiting for a verdict right now. */
  held: number;
  /** Once true, batches commit without waiting. */
  open: boolean;
  readonly verdicts: ((verdict: Verdict) => void)[];
  readonly batches: string[][];
}

export function gatedJournal(inner: Journal): { journal: Journal; gate: Gate; decide: (verdict: Verdict) => void } {
  const gate: Gate = { held: 0, open: false, verdicts: [], batches: [] };
  const journal: Journal = Object.create(inner) as Journal;
  journal.commit = async (entries: readonly JournalEntry[], guards?: readonly EntryPosition[], fence?: ShardFence) => {
    gate.batches.push(entries.map((entry) => `${entry.key}#${entry.seq}`));
    gate.held += 1;
    const verdict = gate.open || (await new Promise<Verdict>((resolve) => gate.verdicts.push(resolve)));
    gate.held -= 1;
    if (verdict instanceof Error) throw verdict;
    if (!verdict) throw new Error('the store refused the batch (injected)');
    return inner.commit(entries, guards, fence);
  };
  const decide = (verdict: Verdict) => gate.verdicts.shift()?.(verdict);
  return { journal, gate, decide };
}
