import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export type { Logger };

/** One structured JSON line per event, on stdout. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * Nest's own messages (its NATS transports report every disconnect as an error) as JSON lines of
 * `logger`, not Nest's coloured console format. Nest's `log` chatter is debug. Nest keeps one logger
 * per process (the last app created sets it), so pass the process's logger, not a service's child.
 */
export function nestLogger(logger: Logger): LoggerService {
  const write = (level: 'error' | 'warn' | 'debug') => (message: unknown, ...rest: unknown[]) => {
    const context = rest.at(-1);
    logger[level]({ context: typeof context === 'string' ? context : undefined }, message instanceof Error ? message.message : String(message));
  };
  return { error: write('error'), warn: write('warn'), log: write('debug'), debug: write('debug'), verbose: write('debug') };
}
