/**
 * A small process manager for the runtime's saga tests: debit one account, then credit each
 * recipient (the credits run in parallel). Each step's outcome is journaled as it arrives; a
 * rejected debit fails the transfer. Not a money design: it only exercises the saga driver.
 */
import type { Decider, Effect, EffectOutcome } from '../../actors/decider.ts';
import { assertNever, reject } from '../../actors/decider.ts';

export type TransferCommand =
  /** commandId `start`. Each recipient gets `amountMinor`; the payer pays them all. */
  | { readonly type: 'StartTransfer'; readonly transferId: string; readonly from: string; readonly to: readonly string[]; readonly amountMinor: number }
  /** commandId `step:<stepId>`: fed back by the runtime. */
  | { readonly type: 'StepCompleted'; readonly stepId: string; readonly outcome: EffectOutcome };

export type TransferEvent =
  | { readonly type: 'TransferStarted'; readonly transferId: string; readonly from: string; readonly to: readonly string[]; readonly amountMinor: number }
  | { readonly type: 'StepRecorded'; readonly stepId: string; readonly outcome: EffectOutcome }
  | { readonly type: 'TransferCompleted' }
  | { readonly type: 'TransferFailed'; readonly code: string; readonly message: string };

export type TransferStatus = 'NEW' | 'DEBITING' | 'CREDITING' | 'COMPLETED' | 'FAILED';

export interface TransferState {
  readonly transferId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly amountMinor: number;
  readonly status: TransferStatus;
  readonly outcomes: Readonly<Record<string, EffectOutcome>>;
  readonly failure: { readonly code: string; readonly message: string } | null;
}

export type TransferRejection = 'transfer_exists' | 'unknown_step';

function effects(state: TransferState): readonly Effect[] {
  switch (state.status) {
    case 'DEBITING':
      return [
        {
          stepId: 'debit',
          target: `account:${state.from}`,
          command: { type: 'Debit', transferId: state.transferId, amountMinor: state.amountMinor * state.to.length },
        },
      ];
    case 'CREDITING':
      return state.to
        .map((recipient, index) => ({
          stepId: `credit:${index}`,
          target: `account:${recipient}`,
          command: { type: 'Credit', transferId: state.transferId, amountMinor: state.amountMinor },
        }))
        .filter((effect) => state.outcomes[effect.stepId] === undefined);
    case 'NEW':
    case 'COMPLETED':
    case 'FAILED':
      return [];
    default:
      return assertNever(state.status);
  }
}

function decideStep(state: TransferState, stepId: string, outcome: EffectOutcome) {
  // A repeated outcome decides nothing; the runtime answers it with the first entry.
  if (state.outcomes[stepId] !== undefined) return [];
  if (!effects(state).some((effect) => effect.stepId === stepId)) return reject('unknown_step', `${stepId} is not pending`);
  const recorded: TransferEvent = { type: 'StepRecorded', stepId, outcome };
  if (!outcome.ok) return [recorded, { type: 'TransferFailed', code: outcome.code, message: outcome.message } as const];
  if (stepId === 'debit') return [recorded];
  const creditsLeft = effects(state).length - 1;
  return creditsLeft === 0 ? [recorded, { type: 'TransferCompleted' } as const] : [recorded];
}

export const transferDecider: Decider<TransferState, TransferCommand, TransferEvent, TransferRejection> = {
  kind: 'transfer',
  stateVersion: 1,
  initialState: { transferId: '', from: '', to: [], amountMinor: 0, status: 'NEW', outcomes: {}, failure: null },
  commandId: (command) => (command.type === 'StartTransfer' ? 'start' : `step:${command.stepId}`),
  decide(state, command) {
    switch (command.type) {
      case 'StartTransfer':
        if (state.status !== 'NEW') return reject('transfer_exists', `transfer ${state.transferId} exists`);
        return [{ type: 'TransferStarted', transferId: command.transferId, from: command.from, to: command.to, amountMinor: command.amountMinor }];
      case 'StepCompleted':
        return decideStep(state, command.stepId, command.outcome);
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'TransferStarted':
        return { ...state, transferId: event.transferId, from: event.from, to: event.to, amountMinor: event.amountMinor, status: 'DEBITING' };
      case 'StepRecorded': {
        const outcomes = { ...state.outcomes, [event.stepId]: event.outcome };
        const status = event.stepId === 'debit' && event.outcome.ok ? 'CREDITING' : state.status;
        return { ...state, outcomes, status };
      }
      case 'TransferCompleted':
        return { ...state, status: 'COMPLETED' };
      case 'TransferFailed':
        return { ...state, status: 'FAILED', failure: { code: event.code, message: event.message } };
      default:
        return assertNever(event);
    }
  },
  process: {
    effects,
    stepCompleted: (stepId, outcome) => ({ type: 'StepCompleted', stepId, outcome }),
  },
};

export function isSettled(state: TransferState): boolean {
  return state.status === 'COMPLETED' || state.status === 'FAILED';
}
