import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

/**
 * Paths that never reach a log line in clear. Secrets in config are `Secret` objects (they print as
 * [REDACTED] anyway); these cover what arrives from outside: headers and bodies.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'password',
  '*.password',
  '*.token',
  '*.secret',
  '*.bindPassword',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream | number } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'scimbridge' },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const dest = options.destination;
  if (typeof dest === 'number') return pino(opts, pino.destination({ dest, sync: false }));
  if (dest) return pino(opts, dest);
  return pino(opts, pino.destination({ dest: 1, sync: false }));
}

/** A logger that writes nowhere, for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
