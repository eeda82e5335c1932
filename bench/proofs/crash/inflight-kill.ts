/**
 * The commit pipeline's own crash hazard (issue #13): SIGKILL while batches are in flight and
 * speculative state spans actors. Armed with `--kill-inflight n`, the worker counts the journal
 * batches that hold entries of two or more actor kinds (an order's step and the wallet or seller
 * it asked, say: state that spans actors and is not durable yet), and at the n-th it hands that
 * batch to the store and kills itself with SIGKILL on the next turn, while the actors have run
 * on: the batch may or may not have committed, and what was handed in behind it (decided,
 * answered to no one) is lost. The line it writes first says how many entries waited behind.
 */
import type { JournalEntry } from '../../../persistence/adapters/journal.ts';
import { kindOf } from '../../../runtime/runtime.ts';
import type { BazaarySystem } from '../../../gateway/app/system.ts';
import type { SagaLine } from './saga-world.ts';

export function armInflightKill(system: BazaarySystem, n: number, write: (line: SagaLine) => void): void {
  const journal = system.stores.journal;
  const commit = journal.commit.bind(journal);
  let seen = 0;
  journal.commit = (entries: readonly JournalEntry[], guards) => {
    const kinds = new Set(entries.map((entry) => kindOf(entry.key)));
    const queued = system.runtime.log.stats().queued;
    if (kinds.size >= 2) {
      seen += 1;
      if (seen === n) {
        write({ t: 'inflight-kill', entries: entries.length, kinds: [...kinds].sort(), queued });
        const written = commit(entries, guards);
        setImmediate(() => process.kill(process.pid, 'SIGKILL'));
        return written;
      }
    }
    return commit(entries, guards);
  };
}
