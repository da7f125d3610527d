import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/**
 * One structured JSON line per event, on stdout. `name` is the process (`org-management` in embedded
 * mode); each service's child logger adds `service`, so every key appears once in a line.
 */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  return pino({ level, name, base: {}, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** The logger a service's providers get: the process logger with `service` bound once. */
export function serviceLogger(processLogger: Logger, service: string): Logger {
  return processLogger.bindings().service === service ? processLogger : processLogger.child({ service });
}

/**
 * Nest's own messages (its NATS transports report every disconnect as an error) as JSON lines of
 * `logger`, not Nest's coloured console format. Nest's `log` chatter is debug. Nest keeps one logger
 * per process (the last app created sets it), so pass the process's logger, not a service's child.
 */
export function nestLogger(logger: Logger): LoggerService {
  const write =
    (level: 'error' | 'warn' | 'debug') =>
    (message: unknown, ...rest: unknown[]) => {
      const context = rest.at(-1);
      logger[level](
        { context: typeof context === 'string' ? context : undefined },
        message instanceof Error ? message.message : String(message),
      );
    };
  return {
    error: write('error'),
    warn: write('warn'),
    log: write('debug'),
    debug: write('debug'),
    verbose: write('debug'),
  };
}
