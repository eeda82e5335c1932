/**
 * What bench/rehydrate.bench.ts measures, as records and as the tables it prints: part (a), a
 * wallet's first message after passivation per case; part (b), resident memory.
 */
import type { CpuUse } from './cpu.ts';
import { gcExposed, megabytes, perItem, type MemoryReading } from './memory.ts';
import type { Summary } from './stats.ts';
import { printTable } from './table.ts';

export interface Case {
  /** Entries each actor's journal holds. */
  readonly entries: number;
  /** Snapshot interval, or null for none (the runtime never snapshots). */
  readonly snapshotEvery: number | null;
  readonly actors: number;
}

export interface CaseResult extends Case {
  readonly snapshotSeq: number;
  readonly tail: number;
  readonly buildMs: number;
  /** First message after passivation, one actor at a time. */
  readonly coldMs: Summary;
  /** The same message to the actor while resident: the ask itself, without rehydration. */
  readonly warmMs: Summary;
  /** Every actor of the case woken at once: wall time ÷ actors. */
  readonly concurrentMsPerActor: number;
  /** Cores busy while the case measured (not while it built its journals). */
  readonly cpu: CpuUse | null;
  /** Measurements taken; more than one means earlier ones were disturbed and discarded. */
  readonly attempts: number;
}

export interface MemoryResult {
  readonly actors: number;
  readonly createMs: number;
  readonly createPerSec: number;
  readonly wakeMs: number;
  readonly wakePerSec: number;
  readonly createCpu: CpuUse | null;
  readonly wakeCpu: CpuUse | null;
  readonly readings: Readonly<Record<'empty' | 'created' | 'passivated' | 'woken' | 'passivatedAgain', MemoryReading>>;
  /** created − empty: the actors plus the journal and snapshot growth their deposits caused. */
  readonly perActorCreated: MemoryReading;
  /** woken − passivated: the resident actors alone (waking writes nothing). */
  readonly perActorResident: MemoryReading;
  /** What passivation gave back: created − passivated, and woken − passivatedAgain. */
  readonly returnedOnPassivation: MemoryReading;
  readonly returnedOnSecondPassivation: MemoryReading;
}

export function printCases(results: readonly CaseResult[], storeKind: string): void {
  printTable(
    `(a) Rehydrate a wallet through the runtime: first message after passivation (${storeKind})`,
    ['entries', 'snapshot at', 'tail', 'actors', 'cold p50 ms', 'cold p99 ms', 'cold mean ms', 'warm p50 ms', 'all at once ms/actor', 'other cores', 'waited %'],
    results.map((result) => [
      result.entries,
      result.snapshotEvery === null ? 'none' : String(result.snapshotSeq),
      result.tail,
      result.actors,
      result.coldMs.p50,
      result.coldMs.p99,
      result.coldMs.mean,
      result.warmMs.p50,
      result.concurrentMsPerActor,
      result.cpu === null ? '—' : result.cpu.otherCores.toFixed(2),
      result.cpu === null ? '—' : Math.round(result.cpu.ownWaitShare * 100),
    ]),
  );
}

export function printMemory(result: MemoryResult): void {
  const { readings } = result;
  const row = (label: string, reading: MemoryReading) => [
    label,
    megabytes(reading.heapUsedBytes),
    megabytes(reading.rssBytes),
    megabytes(reading.arrayBuffersBytes),
  ];
  printTable(
    `(b) Memory with ${result.actors.toLocaleString('en-US')} wallets (one deposit each; after full GC: ${gcExposed ? 'yes' : 'NO, run with --expose-gc'})`,
    ['moment', 'heap used MB', 'RSS MB', 'ArrayBuffers MB'],
    [
      row('before any actor', readings.empty),
      row('all created (resident)', readings.created),
      row('after passivateIdle(0)', readings.passivated),
      row('all woken again (resident)', readings.woken),
      row('after passivateIdle(0) again', readings.passivatedAgain),
    ],
  );
  const bytesRow = (label: string, delta: MemoryReading) => [label, delta.heapUsedBytes, delta.rssBytes, delta.arrayBuffersBytes];
  printTable(
    'Per actor (bytes)',
    ['measure', 'heap used', 'RSS', 'ArrayBuffers'],
    [
      bytesRow('resident idle actor (woken − passivated)', result.perActorResident),
      bytesRow('created actor incl. journal growth', result.perActorCreated),
      bytesRow('returned by 1st passivation, per actor', perItem(result.returnedOnPassivation, result.actors)),
      bytesRow('returned by 2nd passivation, per actor', perItem(result.returnedOnSecondPassivation, result.actors)),
    ],
  );
  const others = (cpu: CpuUse | null) =>
    cpu === null ? '' : `, other processes ${cpu.otherCores} cores, waited for a core ${Math.round(cpu.ownWaitShare * 100)}%`;
  process.stdout.write(
    `created ${result.createPerSec.toLocaleString('en-US')} wallets/s (${result.createMs} ms${others(result.createCpu)}); ` +
      `woke ${result.wakePerSec.toLocaleString('en-US')} wallets/s (${result.wakeMs} ms${others(result.wakeCpu)})\n`,
  );
}

