import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'bazaary'): Logger {
  return pino({ name, level });
}

/** For tests: a real pino logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
