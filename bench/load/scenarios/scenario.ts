/**
 * What a load generator process runs for one scenario: one arrival is one `task`, started on the
 * open-model schedule (bench/load/arrivals.ts). Scenarios that measure something besides request
 * latency (live: notifications) report it after each step.
 */
import type { TaskOutcome } from '../arrivals.ts';
import type { Market } from '../market.ts';

export type ScenarioName = 'browse' | 'checkout' | 'live';

/** Everything a generator needs, built once by the coordinator and sent to each generator. */
export interface WorkerFixture {
  readonly baseUrl: string;
  /** Unique per run and generator: the prefix of every client-chosen id (checkoutId, commandId). */
  readonly idPrefix: string;
  /** This generator's share of the fresh sellers and buyers. */
  readonly market: Market;
  /** Browse: products to open and words to search for with typos. */
  readonly productIds: readonly string[];
  readonly searchTerms: readonly string[];
}

export interface StepExtra {
  /** Live: from the command's scheduled start to the seller's `order.new` notification, in ms. */
  readonly notificationLatenciesMs: number[];
  /**
   * Live: after a step, notifications still on their way when its grace ran out (they may come
   * later, under overload); after `close`, those that never came: lost.
   */
  readonly lostNotifications: number;
  /** Live: seqs skipped or repeated on any socket (each one a notification lost or sent twice). */
  readonly seqGaps: number;
}

export const noExtra: StepExtra = { notificationLatenciesMs: [], lostNotifications: 0, seqGaps: 0 };

export interface ScenarioWorker {
  task(index: number, scheduledMs: number, stepIndex: number): Promise<TaskOutcome>;
  afterStep(): Promise<StepExtra>;
  close(): Promise<StepExtra>;
}

/** `items[index % length]`, for picking round-robin from a list known not to be empty. */
export function pick<Item>(items: readonly Item[], index: number): Item {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
