/**
 * What the wallet crash test (wallet-crash.test.ts) knows and checks: the worker's report over
 * every run of one seed, and checks (a)–(d) after a restart, each returning its problems (the
 * test asserts there are none).
 */
import { isDeepStrictEqual } from 'node:util';
import { walletDecider, type WalletCommand, type WalletEvent, type WalletState } from '../../../actors/wallet/wallet.ts';
import type { JournalEntry } from '../../../persistence/adapters/journal.ts';
import { replay } from '../../../runtime/entity.ts';
import type { EntityKind } from '../../../runtime/runtime.ts';
import type { BazaarySystem } from '../../../gateway/app/system.ts';
import type { WorkerLine } from './wallet-worker.ts';

// ---------------------------------------------------------------------------------------------
// What the worker reported, over every run of one seed

export interface CommandRecord {
  sends: number;
  settled: number;
  /** The last reply that settled it, with the run it came from. */
  last: Extract<WorkerLine, { t: 'ack' }> | null;
  readonly accepted: Extract<WorkerLine, { t: 'ack'; ok: true }>[];
}

export class Report {
  readonly commands = new Map<string, CommandRecord>();
  readonly wallets = new Set<string>();
  largestBatch = 0;
  acks = 0;

  add(lines: readonly WorkerLine[]): void {
    for (const line of lines) this.addLine(line);
  }

  private record(key: string, commandId: string): CommandRecord {
    const id = `${key}\u0000${commandId}`;
    let record = this.commands.get(id);
    if (record === undefined) {
      record = { sends: 0, settled: 0, last: null, accepted: [] };
      this.commands.set(id, record);
    }
    return record;
  }

  private addLine(line: WorkerLine): void {
    switch (line.t) {
      case 'ready':
        for (const wallet of line.wallets) this.wallets.add(wallet);
        return;
      case 'send':
        this.record(line.k, line.c).sends += 1;
        return;
      case 'ack': {
        const record = this.record(line.k, line.c);
        record.settled += 1;
        record.last = line;
        if (line.ok) record.accepted.push(line);
        this.acks += 1;
        return;
      }
      case 'unknown':
        this.record(line.k, line.c).settled += 1;
        return;
      case 'stats':
        this.largestBatch = Math.max(this.largestBatch, line.largestBatch);
        return;
      case 'done':
        return;
      default:
        throw new Error(`unknown worker line ${JSON.stringify(line satisfies never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks after a restart

export type Entries = ReadonlyMap<string, readonly JournalEntry<WalletEvent>[]>;

export async function readJournal(system: BazaarySystem): Promise<Entries> {
  const byKey = new Map<string, JournalEntry<WalletEvent>[]>();
  let after: JournalEntry | null = null;
  for (;;) {
    const page: JournalEntry[] = await system.stores.journal.readAll(after === null ? null : { key: after.key, seq: after.seq }, 5_000);
    for (const entry of page) {
      // Only the wallet streams are this test's; the system journals others of its own (analytics:daily).
      if (!entry.key.startsWith('wallet:')) continue;
      const list = byKey.get(entry.key) ?? [];
      list.push(entry as JournalEntry<WalletEvent>);
      byKey.set(entry.key, list);
    }
    after = page.at(-1) ?? after;
    if (page.length < 5_000) return byKey;
  }
}

/** (b): seqs 1..n, each commandId once, and nothing journaled that the worker never sent. */
export function checkStreams(entries: Entries, report: Report): string[] {
  const problems: string[] = [];
  for (const [key, list] of entries) {
    const commandIds = new Set<string>();
    list.forEach((entry, index) => {
      if (entry.seq !== index + 1) problems.push(`${key}: entry ${index} has seq ${entry.seq}, not ${index + 1}`);
      if (commandIds.has(entry.commandId)) problems.push(`${key}: commandId ${entry.commandId} journaled twice`);
      commandIds.add(entry.commandId);
      if (!report.commands.has(`${key}\u0000${entry.commandId}`)) problems.push(`${key}#${entry.seq}: ${entry.commandId} was never sent`);
    });
  }
  return problems;
}

/** (a): acknowledged commands are journaled once at their seq; final rejections are not journaled. */
export function checkAcknowledged(entries: Entries, report: Report): string[] {
  const problems: string[] = [];
  const entryOf = (key: string, commandId: string) => entries.get(key)?.find((entry) => entry.commandId === commandId);
  for (const record of report.commands.values()) {
    for (const ack of record.accepted) {
      const entry = entryOf(ack.k, ack.c);
      const where = `${ack.k} ${ack.c} (acked seq ${ack.seq}, ${ack.ev} events, duplicate ${ack.dup})`;
      if (entry === undefined) problems.push(`${where}: acknowledged but not journaled`);
      // A repeat the decider answered with no events reports the actor's seq at that time; its
      // step was journaled earlier, by the first attempt.
      else if (ack.ev === 0 && !ack.dup ? entry.seq > ack.seq : entry.seq !== ack.seq) {
        problems.push(`${where}: journaled at seq ${entry.seq}`);
      }
    }
    const last = record.last;
    const mayBeInFlight = record.sends > record.settled;
    if (last !== null && !last.ok && !mayBeInFlight && entryOf(last.k, last.c) !== undefined) {
      problems.push(`${last.k} ${last.c}: last answered ${last.code}, yet it is journaled`);
    }
  }
  return problems;
}

export type Wallets = EntityKind<WalletState, WalletCommand, WalletEvent>;

/** (c): each wallet's state, read through the actor, equals a replay of its journal. */
export async function inspectAll(wallets: Wallets, walletIds: readonly string[], entries: Entries, label: string) {
  const problems: string[] = [];
  const states: WalletState[] = [];
  for (const walletId of walletIds) {
    const key = wallets.key(walletId);
    const journaled = entries.get(key) ?? [];
    const inspection = await wallets.inspect(walletId, 30_000);
    if (!inspection.ok) {
      problems.push(`${label} ${key}: inspect failed: ${inspection.code} ${inspection.message}`);
      continue;
    }
    states.push(inspection.state);
    if (inspection.seq !== journaled.length) problems.push(`${label} ${key}: at seq ${inspection.seq}, journal holds ${journaled.length}`);
    if (!isDeepStrictEqual(inspection.state, replay(walletDecider, journaled))) {
      problems.push(`${label} ${key}: state differs from replay: ${JSON.stringify(inspection.state).slice(0, 300)}`);
    }
  }
  return { problems, states };
}

/** Snapshots must equal a replay of their key's journal up to their seq. Returns how many are behind the tail. */
export async function checkSnapshots(system: BazaarySystem, entries: Entries, problems: string[]): Promise<{ count: number; behind: number }> {
  let count = 0;
  let behind = 0;
  for (const [key, list] of entries) {
    const snapshot = await system.stores.snapshots.load<WalletState>(key);
    if (snapshot === null) continue;
    count += 1;
    if (snapshot.seq < list.length) behind += 1;
    if (snapshot.seq > list.length) problems.push(`${key}: snapshot at seq ${snapshot.seq} is past the journal's ${list.length}`);
    if (!isDeepStrictEqual(snapshot.state, replay(walletDecider, list.slice(0, snapshot.seq)))) {
      problems.push(`${key}: snapshot at seq ${snapshot.seq} differs from replay`);
    }
  }
  return { count, behind };
}

export interface Money {
  readonly problems: string[];
  readonly inFlightMinor: number;
  readonly ordersInFlight: number;
}

/** (d): holdings are never negative and add up; returns the money still in unfinished flows. */
export function checkMoney(states: readonly WalletState[]): Money {
  const problems: string[] = [];
  const inFlight = new Map<string, number>();
  const move = (orderId: string, amountMinor: number) => inFlight.set(orderId, (inFlight.get(orderId) ?? 0) + amountMinor);
  let holdingsMinor = 0;
  let netDepositsMinor = 0;
  states.forEach((state, index) => {
    if (state.balanceMinor < 0) problems.push(`wallet #${index}: balanceMinor ${state.balanceMinor} < 0`);
    if (state.lockedMinor < 0) problems.push(`wallet #${index}: lockedMinor ${state.lockedMinor} < 0`);
    holdingsMinor += state.balanceMinor + state.lockedMinor;
    netDepositsMinor += state.depositedMinor - state.withdrawnMinor;
    // An order's money in flight: what its buyer paid, less what its seller and the platform hold.
    for (const [orderId, purchase] of Object.entries(state.purchases)) move(orderId, purchase.debitedMinor - purchase.refundedMinor);
    for (const [orderId, sale] of Object.entries(state.sales)) {
      const heldMinor = sale.status === 'LOCKED' ? sale.amountMinor : sale.status === 'RELEASED' ? sale.amountMinor - sale.feeMinor : 0;
      move(orderId, -heldMinor);
    }
    for (const [orderId, feeMinor] of Object.entries(state.fees)) move(orderId, -feeMinor);
  });
  let inFlightMinor = 0;
  let ordersInFlight = 0;
  for (const [orderId, amountMinor] of inFlight) {
    if (amountMinor < 0) problems.push(`order ${orderId}: its seller and the platform hold ${-amountMinor} cents more than its buyer paid`);
    if (amountMinor !== 0) ordersInFlight += 1;
    inFlightMinor += amountMinor;
  }
  if (holdingsMinor !== netDepositsMinor - inFlightMinor) {
    problems.push(`holdings ${holdingsMinor} ≠ deposits − withdrawals ${netDepositsMinor} − in flight ${inFlightMinor}`);
  }
  return { problems, inFlightMinor, ordersInFlight };
}
