/**
 * The append both journal adapters share: check the arguments, queue the entry for the next
 * group commit, and check what the store says it wrote (journal-checks.ts). Only `writeBatch`,
 * the statement that stores a batch, differs between the adapters.
 */
import type { GroupCommit } from './group-commit.ts';
import type { AppendResult, NewEntry } from './journal.ts';
import type { PendingAppend } from './journal-batch.ts';
import { checkAppend, checkAppended } from './journal-checks.ts';

export async function submitAppend<E>(
  commits: GroupCommit<PendingAppend, AppendResult>,
  key: string,
  expectedSeq: number,
  entry: NewEntry<E>,
): Promise<AppendResult<E>> {
  checkAppend(key, expectedSeq, entry);
  const append: PendingAppend = { key, expectedSeq, entry };
  const result = await commits.submit(append);
  checkAppended(append, result);
  // The journal stores whatever events its writer gave; the key's writer reads them back as E.
  return result as AppendResult<E>;
}
