/**
 * A small actor that schedules durable timers for itself, for the timer tests. `Ring` is the
 * timer's message; like every timer command it carries `timer:<timerId>` as its command id and
 * ignores a timer whose reason has passed (cancelled or already rung).
 */
import type { Decider, TimerCancelled, TimerScheduled } from '../../actors/decider.ts';
import { assertNever, reject } from '../../actors/decider.ts';

export interface AlarmSetting {
  readonly timerId: string;
  readonly dueAt: number;
}

export type AlarmCommand =
  | { readonly type: 'SetAlarms'; readonly commandId: string; readonly alarms: readonly AlarmSetting[] }
  | { readonly type: 'CancelAlarm'; readonly commandId: string; readonly timerId: string }
  /** The timer's message; commandId `timer:<timerId>`. */
  | { readonly type: 'Ring'; readonly timerId: string };

export type AlarmEvent = TimerScheduled | TimerCancelled | { readonly type: 'Rang'; readonly timerId: string; readonly at: number };

export interface AlarmState {
  readonly alarms: Readonly<Record<string, { readonly dueAt: number; readonly status: 'SET' | 'CANCELLED' | 'RUNG' }>>;
  /** Timer ids in the order they rang. */
  readonly rang: readonly string[];
}

export const alarmDecider: Decider<AlarmState, AlarmCommand, AlarmEvent, 'unknown_alarm'> = {
  kind: 'alarm',
  stateVersion: 1,
  initialState: { alarms: {}, rang: [] },
  commandId: (command) => (command.type === 'Ring' ? `timer:${command.timerId}` : command.commandId),
  decide(state, command, now) {
    switch (command.type) {
      case 'SetAlarms':
        return command.alarms.map(({ timerId, dueAt }) => ({
          type: 'TimerScheduled',
          timerId,
          dueAt,
          command: { type: 'Ring', timerId },
        }));
      case 'CancelAlarm':
        return state.alarms[command.timerId]?.status === 'SET' ? [{ type: 'TimerCancelled', timerId: command.timerId }] : [];
      case 'Ring': {
        const alarm = state.alarms[command.timerId];
        if (alarm === undefined) return reject('unknown_alarm', `no alarm ${command.timerId}`);
        return alarm.status === 'SET' ? [{ type: 'Rang', timerId: command.timerId, at: now }] : [];
      }
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'TimerScheduled':
        return { ...state, alarms: { ...state.alarms, [event.timerId]: { dueAt: event.dueAt, status: 'SET' } } };
      case 'TimerCancelled':
        return { ...state, alarms: withStatus(state, event.timerId, 'CANCELLED') };
      case 'Rang':
        return { alarms: withStatus(state, event.timerId, 'RUNG'), rang: [...state.rang, event.timerId] };
      default:
        return assertNever(event);
    }
  },
};

function withStatus(state: AlarmState, timerId: string, status: 'CANCELLED' | 'RUNG'): AlarmState['alarms'] {
  const alarm = state.alarms[timerId];
  return alarm === undefined ? state.alarms : { ...state.alarms, [timerId]: { ...alarm, status } };
}
