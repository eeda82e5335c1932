/**
 * The child process of the SIGKILL crash test (wallet-crash.test.ts). It starts the real system
 * on a data dir (PGlite on disk unless DATABASE_URL is given), runs a seeded wallet workload
 * with many commands in flight, and reports on stdout, one JSON line each:
 * - `send` before a command is handed to the runtime, so the test knows what may be journaled;
 * - `ack` after a reply that settles the command: accepted (`ok: true`, with its seq) or a
 *   wallet rejection (`ok: false`, with its code);
 * - `unknown` after a runtime failure (timeout, unavailable, …): the outcome is not known.
 * Each line is in the pipe before the worker goes on (see `write`), so a SIGKILL can lose only
 * reports of replies not yet written, and never a `send` of a command that may be journaled.
 *
 * The workload of cycle N is generated from (seed, N) alone. After a crash, cycle N first
 * re-runs the flows that may be unfinished (see recoveryFlows; every step is idempotent), then
 * runs its own. `--mode finish` runs only that recovery and exits cleanly, after which no money
 * may be in flight.
 *
 * Run: node --import tsx bench/proofs/crash/wallet-worker.ts --data-dir DIR --seed 1 --cycle 0 [--mode run|finish] [--flows N]
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { WalletCommand, WalletRejection, WalletState } from '../../../actors/wallet/wallet.ts';
import { commandId as walletCommandId } from '../../../actors/wallet/wallet.ts';
import { parseConfig } from '../../../gateway/app/config.ts';
import { assertNever } from '../../../actors/decider.ts';
import { seededRandom } from '../../../actors/testing/seeded-random.ts';
import { startSystem, type BazaarySystem } from '../../../gateway/app/system.ts';
import { writeJsonLine } from './stdout-line.ts';

function logStats(system: BazaarySystem): { batches: number; entries: number; largestBatch: number } {
  const { batches, entries, largestBatch } = system.runtime.log.stats();
  return { batches, entries, largestBatch };
}

// ---------------------------------------------------------------------------------------------
// The line protocol (the test imports these types only)

export type WorkerLine =
  | { readonly t: 'ready'; readonly cycle: number; readonly startMs: number; readonly wallets: readonly string[] }
  | { readonly t: 'send'; readonly k: string; readonly c: string }
  | {
      readonly t: 'ack';
      readonly k: string;
      readonly c: string;
      readonly ok: true;
      readonly seq: number;
      /** Events the reply carried: 0 for an idempotent repeat the decider answered with no events. */
      readonly ev: number;
      readonly dup: boolean;
    }
  | { readonly t: 'ack'; readonly k: string; readonly c: string; readonly ok: false; readonly code: string }
  | { readonly t: 'unknown'; readonly k: string; readonly c: string; readonly code: string }
  | {
      readonly t: 'stats';
      readonly acks: number;
      /** The commit log's batches and entries (runtime/commit-log.ts). */
      readonly batches: number;
      readonly entries: number;
      readonly largestBatch: number;
    }
  | { readonly t: 'done'; readonly acks: number; readonly flows: number };

// ---------------------------------------------------------------------------------------------
// Workload shape: each bound here is what one cycle costs in time.

export const workload = {
  /** User wallets; a few dozen keep every mailbox busy and group-commit batches wide. */
  userWallets: 40,
  /** Flows generated per cycle unless `--flows` says otherwise; an order flow is 2–4 commands,
   *  plus immediate retries. */
  flowsPerCycle: 250,
  /** Flows in flight at once. */
  concurrency: 160,
  /** Chance that a step is sent again right after its ack (a client retry). */
  retryChance: 0.1,
  /** Attempts per step when the outcome is unknown (timeout, unavailable). */
  unknownAttemptsMax: 5,
  askTimeoutMs: 20_000,
} as const;

export const platformWallet = 'platform';

export function userWallets(): string[] {
  return Array.from({ length: workload.userWallets }, (_, index) => `u${index.toString().padStart(2, '0')}`);
}

interface Step {
  readonly walletId: string;
  readonly command: WalletCommand;
}

/** A flow is a saga-like chain: each step runs only after the previous one was accepted. */
type Flow = readonly Step[];

/** Codes the wallet decider rejects with. A reply with any other code is a runtime failure. */
const walletRejectionCodes: Readonly<Record<WalletRejection, true>> = {
  amount_must_be_positive: true,
  amount_not_integer: true,
  fee_out_of_range: true,
  insufficient_funds: true,
  order_closed: true,
  unknown_order: true,
  already_released: true,
  already_voided: true,
  refund_exceeds_debit: true,
  conflicting_retry: true,
  balance_overflow: true,
};

export function isWalletRejection(code: string): code is WalletRejection {
  return Object.hasOwn(walletRejectionCodes, code);
}

/** The flows of one cycle, from (seed, cycle) alone, so a later cycle can regenerate them. */
export function flowsOf(seed: number, cycle: number, flowsPerCycle: number): Flow[] {
  const random = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(cycle + 1, 0x85ebca6b)) >>> 0);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const wallets = userWallets();
  const pickWallet = () => wallets[int(0, wallets.length - 1)] ?? platformWallet;
  const flows: Flow[] = [];
  // The first cycle funds every wallet first, so that orders have money to move.
  if (cycle === 0) {
    for (const walletId of wallets) {
      flows.push([{ walletId, command: { type: 'Deposit', commandId: `dep-c0-${walletId}`, amountMinor: 100_000 } }]);
    }
  }
  for (let index = flows.length; index < flowsPerCycle; index += 1) {
    const name = `c${cycle}-${index}`;
    const roll = random();
    if (roll < 0.2) {
      flows.push([{ walletId: pickWallet(), command: { type: 'Deposit', commandId: `dep-${name}`, amountMinor: int(1_000, 40_000) } }]);
    } else if (roll < 0.35) {
      flows.push([{ walletId: pickWallet(), command: { type: 'Withdraw', commandId: `wd-${name}`, amountMinor: int(100, 30_000) } }]);
    } else {
      flows.push(orderFlow(`o-${name}`, pickWallet, int, random));
    }
  }
  return flows;
}

function orderFlow(orderId: string, pickWallet: () => string, int: (min: number, max: number) => number, random: () => number): Flow {
  const buyer = pickWallet();
  let seller = pickWallet();
  while (seller === buyer) seller = pickWallet();
  const priceMinor = int(100, 20_000);
  const steps: Step[] = [
    { walletId: buyer, command: { type: 'DebitForOrder', orderId, amountMinor: priceMinor } },
    { walletId: seller, command: { type: 'CreditPending', orderId, amountMinor: priceMinor } },
  ];
  const ending = random();
  if (ending < 0.45) {
    // Released: the seller keeps price − fee and the platform gets the fee (sometimes zero).
    const feeMinor = random() < 0.1 ? 0 : Math.floor(priceMinor / 20);
    steps.push({ walletId: seller, command: { type: 'ReleasePending', orderId, feeMinor } });
    steps.push({ walletId: platformWallet, command: { type: 'CreditFee', orderId, amountMinor: feeMinor } });
  } else if (ending < 0.75) {
    // Cancelled: the seller's pending funds are voided and the buyer is refunded in full.
    steps.push({ walletId: seller, command: { type: 'VoidPending', orderId } });
    steps.push({ walletId: buyer, command: { type: 'RefundOrder', orderId, amountMinor: priceMinor } });
  }
  // Otherwise the funds stay locked in escrow.
  return steps;
}

/**
 * What a restarted cycle re-runs before its own flows. Every flow of the cycle before: any of
 * them may have been in flight at the kill, and its client retries it with the same ids (most
 * steps are done already and answer from memory). And every order of earlier cycles that was
 * paid (its buyer was debited) but has not finished: an order saga is retried until it
 * finishes, however many crashes interrupt it, while an order never paid was never placed. A
 * real saga knows its progress from its own journal; these flows read it off the wallets.
 */
async function recoveryFlows(system: BazaarySystem, seed: number, cycle: number, flowsPerCycle: number): Promise<Flow[]> {
  const flows: Flow[] = [];
  const states = new Map<string, WalletState>();
  for (let earlier = 0; earlier < cycle; earlier += 1) {
    for (const flow of flowsOf(seed, earlier, flowsPerCycle)) {
      const last = flow.at(-1);
      if (last === undefined) continue;
      const first = flow[0];
      if (earlier === cycle - 1) flows.push(flow);
      else if (first?.command.type === 'DebitForOrder' && (await isUnfinished(system, first, last, states))) flows.push(flow);
    }
  }
  return flows;
}

async function stateOf(system: BazaarySystem, walletId: string, cache: Map<string, WalletState>): Promise<WalletState> {
  const cached = cache.get(walletId);
  if (cached !== undefined) return cached;
  const inspection = await system.wallets.inspect(walletId, workload.askTimeoutMs);
  if (!inspection.ok) throw new Error(`cannot read wallet ${walletId}: ${inspection.code} ${inspection.message}`);
  cache.set(walletId, inspection.state);
  return inspection.state;
}

async function isUnfinished(system: BazaarySystem, first: Step, last: Step, states: Map<string, WalletState>): Promise<boolean> {
  const buyer = await stateOf(system, first.walletId, states);
  if (first.command.type !== 'DebitForOrder' || !Object.hasOwn(buyer.purchases, first.command.orderId)) return false;
  return !isDone(last, await stateOf(system, last.walletId, states));
}

/** Whether the wallet shows the effect of an order flow's last step. */
function isDone({ command }: Step, state: WalletState): boolean {
  switch (command.type) {
    case 'CreditPending':
      return Object.hasOwn(state.sales, command.orderId);
    case 'CreditFee':
      return Object.hasOwn(state.fees, command.orderId);
    case 'RefundOrder':
      return (state.purchases[command.orderId]?.refundedMinor ?? 0) > 0;
    case 'Deposit':
    case 'Withdraw':
    case 'DebitForOrder':
    case 'ReleasePending':
    case 'VoidPending':
      throw new Error(`an order flow never ends with ${command.type}`);
    default:
      return assertNever(command);
  }
}

// ---------------------------------------------------------------------------------------------
// Running

/** Every line is out before the worker goes on (stdout-line.ts says why). */
const write: (line: WorkerLine) => void = writeJsonLine;

type StepOutcome = 'accepted' | 'rejected' | 'unknown';

class Runner {
  acks = 0;
  private readonly retryRandom: () => number;

  constructor(
    private readonly system: BazaarySystem,
    seed: number,
    cycle: number,
  ) {
    this.retryRandom = seededRandom((seed * 7_919 + cycle) >>> 0);
  }

  async runAll(flows: readonly Flow[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      for (let index = next; index < flows.length; index = next) {
        next += 1;
        await this.runFlow(flows[index] ?? []);
      }
    };
    await Promise.all(Array.from({ length: workload.concurrency }, lane));
  }

  private async runFlow(flow: Flow): Promise<void> {
    for (const step of flow) {
      const outcome = await this.runStep(step);
      if (outcome !== 'accepted') return;
      if (this.retryRandom() < workload.retryChance) await this.runStep(step);
    }
  }

  /** Sends one step until its outcome is known, or gives up after a few unknown outcomes. */
  private async runStep({ walletId, command }: Step): Promise<StepOutcome> {
    const key = this.system.wallets.key(walletId);
    const id = walletCommandId(command);
    for (let attempt = 1; attempt <= workload.unknownAttemptsMax; attempt += 1) {
      write({ t: 'send', k: key, c: id });
      const result = await this.system.wallets.ask(walletId, command, workload.askTimeoutMs);
      if (result.ok) {
        this.ack({ t: 'ack', k: key, c: id, ok: true, seq: result.seq, ev: result.events.length, dup: result.duplicate });
        return 'accepted';
      }
      if (isWalletRejection(result.code)) {
        this.ack({ t: 'ack', k: key, c: id, ok: false, code: result.code });
        return 'rejected';
      }
      write({ t: 'unknown', k: key, c: id, code: result.code });
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
    return 'unknown';
  }

  private ack(line: WorkerLine): void {
    write(line);
    this.acks += 1;
    if (this.acks % 1_000 === 0) {
      write({ t: 'stats', acks: this.acks, ...logStats(this.system) });
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      seed: { type: 'string' },
      cycle: { type: 'string' },
      mode: { type: 'string', default: 'run' },
      flows: { type: 'string', default: String(workload.flowsPerCycle) },
    },
  });
  const dataDir = values['data-dir'];
  const seed = Number(values.seed);
  const cycle = Number(values.cycle);
  const mode = values.mode;
  const flowsPerCycle = Number(values.flows);
  const usable = (value: number, min: number) => Number.isSafeInteger(value) && value >= min;
  if (dataDir === undefined || !usable(seed, 0) || !usable(cycle, 0) || !usable(flowsPerCycle, workload.userWallets)) {
    throw new Error('usage: wallet-worker.ts --data-dir DIR --seed N --cycle N [--mode run|finish] [--flows N]');
  }
  if (mode !== 'run' && mode !== 'finish') throw new Error(`--mode must be run or finish, not ${mode}`);

  // Logs go to stderr: stdout carries only the line protocol.
  const logger = pino({ name: 'crash-worker', level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  const startedAt = performance.now();
  const config = parseConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: process.env['DATABASE_URL'],
    // Small, so that snapshots are taken (and recovered from) many times per cycle.
    SNAPSHOT_EVERY: '7',
    PASSIVATE_AFTER: '60s',
  });
  const system = await startSystem(config, { logger });
  write({ t: 'ready', cycle, startMs: Math.round(performance.now() - startedAt), wallets: [...userWallets(), platformWallet] });

  const flows = await recoveryFlows(system, seed, cycle, flowsPerCycle);
  if (mode === 'run') flows.push(...flowsOf(seed, cycle, flowsPerCycle));
  const runner = new Runner(system, seed, cycle);
  await runner.runAll(flows);
  write({ t: 'stats', acks: runner.acks, ...logStats(system) });
  write({ t: 'done', acks: runner.acks, flows: flows.length });
  await system.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`wallet-worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
