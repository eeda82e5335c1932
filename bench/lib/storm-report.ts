/**
 * What the storm benchmark records and prints: outcomes by final answer, first-try answers,
 * 503s and timeouts counted apart, the time to a final answer (hdr-histogram-js), and whether
 * the money adds up (bought = what the buyer could afford, the ledger audit clean).
 */
import * as hdr from 'hdr-histogram-js';
import type { CheckoutRecord } from './storm-requests.ts';
import { printTable } from './table.ts';

export interface StormSummary {
  readonly requests: number;
  readonly affordable: number;
  readonly created: number;
  readonly refusedInsufficientFunds: number;
  /** Ended without a final answer after every attempt (503, timeout or network error last). */
  readonly noFinalAnswer: number;
  /** Any other answer (a 4xx or 5xx that is neither 201, 409 insufficient_funds nor 503). */
  readonly otherAnswers: number;
  readonly finalOnFirstTry: number;
  /** Attempts answered 503, by API code (`timeout`, `unavailable`, …), first tries and retries alike. */
  readonly attempts503: Readonly<Record<string, number>>;
  readonly attemptsTimedOut: number;
  readonly attemptsNetworkError: number;
  readonly retries: number;
  readonly durationMs: number;
  /** From the storm's start to each checkout's final answer, milliseconds. */
  readonly doneAtMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Each checkout's first attempt, by outcome. */
  readonly firstAttempts: Readonly<Record<string, number>>;
}

function outcomeName(record: CheckoutRecord['final']): string {
  return record.code === null ? String(record.status) : `${record.status} ${record.code}`;
}

function countBy<Item>(items: readonly Item[], key: (item: Item) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function summarizeStorm(records: readonly CheckoutRecord[], affordable: number, durationMs: number): StormSummary {
  const attempts = records.flatMap((record) => record.attempts);
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });
  for (const record of records) histogram.recordValue(Math.max(1, record.doneAtMs));
  const summary: StormSummary = {
    requests: records.length,
    affordable,
    created: records.filter((record) => record.final.status === 201).length,
    refusedInsufficientFunds: records.filter((record) => record.final.status === 409 && record.final.code === 'insufficient_funds').length,
    noFinalAnswer: records.filter((record) => !record.finalAnswer && (record.final.status === 503 || typeof record.final.status === 'string')).length,
    otherAnswers: records.filter((record) => !record.finalAnswer && typeof record.final.status === 'number' && record.final.status !== 503).length,
    finalOnFirstTry: records.filter((record) => record.firstTry).length,
    attempts503: countBy(attempts.filter((attempt) => attempt.status === 503), (attempt) => attempt.code ?? 'no code'),
    attemptsTimedOut: attempts.filter((attempt) => attempt.status === 'timeout').length,
    attemptsNetworkError: attempts.filter((attempt) => attempt.status === 'network_error').length,
    retries: attempts.length - records.length,
    durationMs,
    doneAtMs: { p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), max: histogram.maxValue },
    firstAttempts: countBy(records, (record) => outcomeName(record.attempts[0] ?? record.final)),
  };
  histogram.destroy();
  return summary;
}

export function printStorm(summary: StormSummary, records: readonly CheckoutRecord[]): void {
  const byFinal = new Map<string, CheckoutRecord[]>();
  for (const record of records) byFinal.set(outcomeName(record.final), [...(byFinal.get(outcomeName(record.final)) ?? []), record]);
  printTable(
    `Checkout storm: ${summary.requests} concurrent checkouts by one buyer who can afford ${summary.affordable}, one seller (${summary.durationMs} ms in all)`,
    ['final answer', 'checkouts', 'on the first try', 'after retries', 'last answer at ms (max)'],
    [...byFinal.entries()].map(([outcome, group]) => [
      outcome,
      group.length,
      group.filter((record) => record.attempts.length === 1).length,
      group.filter((record) => record.attempts.length > 1).length,
      Math.max(...group.map((record) => record.doneAtMs)),
    ]),
  );
  printTable('Every attempt that was not a final answer', ['kind', 'attempts'], [
    ...Object.entries(summary.attempts503).map(([code, count]): [string, number] => [`503 ${code}`, count]),
    ['client timeout', summary.attemptsTimedOut],
    ['network error', summary.attemptsNetworkError],
  ]);
  process.stdout.write(
    `\nfinal answers: ${summary.created + summary.refusedInsufficientFunds}/${summary.requests} ` +
      `(${summary.created} created, expected ${summary.affordable}; ${summary.refusedInsufficientFunds} refused insufficient_funds), ` +
      `${summary.finalOnFirstTry} on the first try, ${summary.retries} retries; ` +
      `final answer p50 ${summary.doneAtMs.p50} ms, p99 ${summary.doneAtMs.p99} ms, last ${summary.doneAtMs.max} ms\n`,
  );
}
