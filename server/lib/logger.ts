import { pino, type Logger } from 'pino';

export type { Logger };

/** One structured JSON logger for the process; children carry a request or socket id. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}
