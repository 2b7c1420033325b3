import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line: bearer tokens and cookies in request headers (pino-http
 * logs every request's headers), and anything a caller logs under these names by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'pin',
  'token',
  '*.password',
  '*.pin',
  '*.token',
];

/** One structured JSON logger for the process; children carry a request or socket id. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
