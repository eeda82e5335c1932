/**
 * A journal for tests that wraps the real one and, on demand, fails appends of a key (the
 * actor crashes and answers `unavailable`, a transient failure) or holds appends until
 * released (a slow store, or, never released, a process that died before writing).
 */
import type { Journal, JournalEntry, NewEntry } from '../../persistence/adapters/journal.ts';

type Matcher = (key: string, entry: NewEntry) => boolean;

export interface JournalControl {
  /** Appends of a key still to fail: a count, or Infinity. */
  readonly failures: Map<string, number>;
  /** Every append attempted, as `key commandId`, failed ones included. */
  readonly attempts: string[];
  /** Appends held right now, as `key commandId`. */
  readonly held: string[];
  /** Holds every append that matches until the returned function is called. */
  hold(matcher: Matcher): () => void;
}

export function controlledJournal(inner: Journal): { journal: Journal; control: JournalControl } {
  const holds: { matcher: Matcher; gate: Promise<void> }[] = [];
  const control: JournalControl = {
    failures: new Map(),
    attempts: [],
    held: [],
    hold(matcher) {
      let open = () => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      holds.push({ matcher, gate });
      return () => {
        holds.splice(holds.findIndex((hold) => hold.gate === gate), 1);
        open();
      };
    },
  };
  const journal: Journal = Object.create(inner) as Journal;
  journal.append = async <E>(key: string, expectedSeq: number, entry: NewEntry<E>) => {
    const label = `${key} ${entry.commandId}`;
    control.attempts.push(label);
    const failures = control.failures.get(key) ?? 0;
    if (failures > 0) {
      control.failures.set(key, failures - 1);
      throw new Error(`journal unavailable for ${key} (injected)`);
    }
    const hold = holds.find(({ matcher }) => matcher(key, entry));
    if (hold !== undefined) {
      control.held.push(label);
      await hold.gate;
      control.held.splice(control.held.indexOf(label), 1);
    }
    return inner.append(key, expectedSeq, entry);
  };
  // The runtime's commit log writes whole batches: a failing key fails its batch (the log then
  // rolls back everything after the durable prefix), and a held entry holds its batch.
  journal.commit = async (entries: readonly JournalEntry[]) => {
    const labels = entries.map((entry) => `${entry.key} ${entry.commandId}`);
    control.attempts.push(...labels);
    const failing = entries.find((entry) => (control.failures.get(entry.key) ?? 0) > 0);
    if (failing !== undefined) {
      control.failures.set(failing.key, (control.failures.get(failing.key) ?? 0) - 1);
      throw new Error(`journal unavailable for ${failing.key} (injected)`);
    }
    const heldEntries = entries.filter((entry) => holds.some(({ matcher }) => matcher(entry.key, entry)));
    for (const entry of heldEntries) {
      const hold = holds.find(({ matcher }) => matcher(entry.key, entry));
      if (hold === undefined) continue;
      const label = `${entry.key} ${entry.commandId}`;
      control.held.push(label);
      await hold.gate;
      control.held.splice(control.held.indexOf(label), 1);
    }
    return inner.commit(entries);
  };
  return { journal, control };
}

/** Polls `condition` every few ms until it holds, or fails after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
