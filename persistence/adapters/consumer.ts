/**
 * The consumer port: what follows the journal (a projection, the timer index, mail planning)
 * implements this, and the runtime's event processor feeds it committed entries in log order,
 * at least once. Every consumer is therefore idempotent.
 */
import type { JournalEntry } from './journal.ts';

export interface Consumer {
  readonly name: string;
  handle(entries: readonly JournalEntry[]): Promise<void>;
}
