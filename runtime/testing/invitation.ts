/**
 * Two small actors for the runtime's test of steps finished by the target's own report
 * (Effect.finishedByReport): a host invites guests; each guest takes the invitation and then
 * reports to the host by a saga step of its own, and that report is what finishes the host's
 * invite step. A guest whose id starts with `no` declines, and one whose id starts with `mute`
 * takes the invitation but never reports. Not a product design: it only exercises the saga
 * driver.
 */
import type { Decider, Effect, EffectOutcome } from '../../actors/decider.ts';
import { assertNever, reject } from '../../actors/decider.ts';

export type HostCommand =
  /** commandId `start`. */
  | { readonly type: 'Invite'; readonly hostId: string; readonly guests: readonly string[] }
  /** commandId `reported:<guestId>`: the guest's own report. */
  | { readonly type: 'GuestReported'; readonly guestId: string }
  /** commandId `step:<stepId>`: fed back by the runtime (for an invite, only a refusal). */
  | { readonly type: 'StepCompleted'; readonly stepId: string; readonly outcome: EffectOutcome };

export type HostEvent =
  | { readonly type: 'Invited'; readonly hostId: string; readonly guests: readonly string[] }
  | { readonly type: 'Reported'; readonly guestId: string }
  | { readonly type: 'Declined'; readonly guestId: string; readonly code: string };

export interface HostState {
  readonly hostId: string;
  readonly guests: readonly string[];
  /** Each guest's answer, once it is known. */
  readonly answers: Readonly<Record<string, 'reported' | 'declined'>>;
}

const invitePrefix = 'invite:';

function hostEffects(state: HostState): readonly Effect[] {
  return state.guests
    .filter((guestId) => state.answers[guestId] === undefined)
    .map((guestId) => ({ stepId: `${invitePrefix}${guestId}`, target: `guest:${guestId}`, command: { type: 'TakeInvite', guestId, hostId: state.hostId }, finishedByReport: true }));
}

export const hostDecider: Decider<HostState, HostCommand, HostEvent, 'invited_already'> = {
  kind: 'host',
  stateVersion: 1,
  initialState: { hostId: '', guests: [], answers: {} },
  commandId: (command) => (command.type === 'Invite' ? 'start' : command.type === 'GuestReported' ? `reported:${command.guestId}` : `step:${command.stepId}`),
  decide(state, command) {
    switch (command.type) {
      case 'Invite':
        if (state.hostId !== '') return reject('invited_already', `host ${state.hostId} has invited already`);
        return [{ type: 'Invited', hostId: command.hostId, guests: command.guests }];
      case 'GuestReported':
        return state.answers[command.guestId] === undefined ? [{ type: 'Reported', guestId: command.guestId }] : [];
      case 'StepCompleted': {
        const guestId = command.stepId.slice(invitePrefix.length);
        if (state.answers[guestId] !== undefined) return [];
        // A success is the guest's report's to record; only a refusal is recorded here.
        return command.outcome.ok ? [] : [{ type: 'Declined', guestId, code: command.outcome.code }];
      }
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Invited':
        return { ...state, hostId: event.hostId, guests: event.guests };
      case 'Reported':
        return { ...state, answers: { ...state.answers, [event.guestId]: 'reported' } };
      case 'Declined':
        return { ...state, answers: { ...state.answers, [event.guestId]: 'declined' } };
      default:
        return assertNever(event);
    }
  },
  process: { effects: hostEffects, stepCompleted: (stepId, outcome) => ({ type: 'StepCompleted', stepId, outcome }) },
};

export function everyGuestAnswered(state: HostState): boolean {
  return state.guests.length > 0 && state.guests.every((guestId) => state.answers[guestId] !== undefined);
}

export type GuestCommand =
  /** commandId `invite`. */
  | { readonly type: 'TakeInvite'; readonly guestId: string; readonly hostId: string }
  | { readonly type: 'StepCompleted'; readonly stepId: string; readonly outcome: EffectOutcome };

export type GuestEvent = { readonly type: 'InviteTaken'; readonly guestId: string; readonly hostId: string } | { readonly type: 'ReportDone' };

export interface GuestState {
  readonly guestId: string;
  readonly hostId: string;
  readonly reported: boolean;
}

export const guestDecider: Decider<GuestState, GuestCommand, GuestEvent, 'declined'> = {
  kind: 'guest',
  stateVersion: 1,
  initialState: { guestId: '', hostId: '', reported: false },
  commandId: (command) => (command.type === 'TakeInvite' ? 'invite' : `step:${command.stepId}`),
  decide(state, command) {
    switch (command.type) {
      case 'TakeInvite':
        if (command.guestId.startsWith('no')) return reject('declined', `${command.guestId} declines`);
        return state.hostId === '' ? [{ type: 'InviteTaken', guestId: command.guestId, hostId: command.hostId }] : [];
      case 'StepCompleted':
        return state.reported ? [] : [{ type: 'ReportDone' }];
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'InviteTaken':
        return { ...state, guestId: event.guestId, hostId: event.hostId };
      case 'ReportDone':
        return { ...state, reported: true };
      default:
        return assertNever(event);
    }
  },
  process: {
    effects: (state) =>
      state.hostId === '' || state.reported || state.guestId.startsWith('mute')
        ? []
        : [{ stepId: 'report', target: `host:${state.hostId}`, command: { type: 'GuestReported', guestId: state.guestId } }],
    stepCompleted: (stepId, outcome) => ({ type: 'StepCompleted', stepId, outcome }),
  },
};
