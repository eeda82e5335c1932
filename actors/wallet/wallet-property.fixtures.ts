/**
 * What the wallet's seeded property tests share (wallet.property.test.ts, wallet-market.property.test.ts):
 * the seeds of a run (WALLET_PROPERTY_SEED replays one), a checker that names the seed and step
 * of a failure, and the checks every wallet must pass after every step.
 */
import type { WalletCommand, WalletState } from './wallet.ts';

const baseSeeds = [1, 7, 42, 20_260_101];

export const seedOverride = process.env['WALLET_PROPERTY_SEED'];

/** The seeds of one property's runs: a few base seeds, each spread into many runs. */
export function runSeeds(runsPerSeed: number): number[] {
  if (seedOverride !== undefined) return [Number(seedOverride) >>> 0];
  return baseSeeds.flatMap((base) =>
    Array.from({ length: runsPerSeed }, (_, index) => (Math.imul(base, 0x9e3779b1) + index) >>> 0),
  );
}

/** Names the run and step in every failure, so the failing run can be replayed from its seed. */
export class Checker {
  step = 0;
  lastAction = 'nothing yet';
  constructor(
    private readonly property: string,
    private readonly seed: number,
  ) {}
  that(condition: boolean, fact: () => string): void {
    if (condition) return;
    throw new Error(
      `${this.property}: seed ${this.seed} (rerun with WALLET_PROPERTY_SEED=${this.seed}), step ${this.step}, ` +
        `after ${this.lastAction}: ${fact()}`,
    );
  }
}

export function isOrderStep(command: WalletCommand): boolean {
  return command.type !== 'Deposit' && command.type !== 'Withdraw';
}

export function checkHoldings(check: Checker, state: WalletState, who: string): void {
  check.that(state.balanceMinor >= 0, () => `${who} balanceMinor ${state.balanceMinor} is negative`);
  check.that(state.lockedMinor >= 0, () => `${who} lockedMinor ${state.lockedMinor} is negative`);
  check.that(Number.isSafeInteger(state.balanceMinor), () => `${who} balanceMinor ${state.balanceMinor} is not whole cents`);
  check.that(Number.isSafeInteger(state.lockedMinor), () => `${who} lockedMinor ${state.lockedMinor} is not whole cents`);
}
