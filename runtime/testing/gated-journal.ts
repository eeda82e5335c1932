/**
 * A journal for the commit pipeline's tests whose batches wait at a gate: `decide` commits the
 * oldest held batch or refuses it (as a store outage would), and an open gate lets every batch
 * through. `batches` lists every batch that reached the store, as `key#seq`.
 */
import type { EntryPosition, Journal, JournalEntry } from '../../persistence/adapters/journal.ts';

export interface Gate {
  /** Batches waiting for a verdict right now. */
  held: number;
  /** Once true, batches commit without waiting. */
  open: boolean;
  readonly verdicts: ((commit: boolean) => void)[];
  readonly batches: string[][];
}

export function gatedJournal(inner: Journal): { journal: Journal; gate: Gate; decide: (commit: boolean) => void } {
  const gate: Gate = { held: 0, open: false, verdicts: [], batches: [] };
  const journal: Journal = Object.create(inner) as Journal;
  journal.commit = async (entries: readonly JournalEntry[], guards?: readonly EntryPosition[]) => {
    gate.batches.push(entries.map((entry) => `${entry.key}#${entry.seq}`));
    gate.held += 1;
    const commit = gate.open || (await new Promise<boolean>((resolve) => gate.verdicts.push(resolve)));
    gate.held -= 1;
    if (!commit) throw new Error('the store refused the batch (injected)');
    return inner.commit(entries, guards);
  };
  const decide = (commit: boolean) => gate.verdicts.shift()?.(commit);
  return { journal, gate, decide };
}
