import pino, { Logger } from 'pino';

export type { Logger };

/** One structured JSON line per event, on stdout. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
