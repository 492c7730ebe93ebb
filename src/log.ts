import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;

/** The fields of an error that may be logged; never its other own properties (an HTTP client error carries request headers). */
interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  kind?: string;
  cause?: LoggedError;
}

/**
 * Errors are logged by an allowlist of fields instead of path-based redaction: a library error object can
 * hold anything (axios errors hold the request's Authorization header), so only type, message, stack, the
 * ConnectorError kind and the cause chain are written. Secrets in config are `Secret` objects, which print
 * as [REDACTED] wherever they end up.
 */
export function serializeError(err: unknown, depth = 0): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) };
  const out: LoggedError = { type: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  const kind = (err as { kind?: unknown }).kind;
  if (typeof kind === 'string') out.kind = kind;
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

export interface LoggerSetup {
  level?: string;
  /** Default: stdout, buffered in 4 KiB writes and flushed at least every 250 ms. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerSetup = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'scimbridge' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializeError },
  };
  if (options.destination) return pino(opts, options.destination);
  // One write per request line would cost a system call each; batch them, but never hold a line for long.
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => dest.flush(), 250).unref();
  process.once('exit', () => dest.flushSync());
  return pino(opts, dest);
}

/** A logger that writes nowhere, for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * A fast writer for the one line per request at `info`: the same JSON a pino `info` call writes, with the
 * caller's fields already serialised (`"a":1,"b":"x"`), written to the logger's own destination so lines
 * stay in order with everything else. pino's general path costs several microseconds a line, a large
 * share of a cached read.
 */
export function rawInfoWriter(log: Logger, msg: string): (fieldsJson: string) => void {
  const stream = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { write(s: string): void } | undefined;
  const bindings = JSON.stringify(log.bindings()).slice(1, -1);
  const prefix = bindings === '' ? '' : `,${bindings}`;
  const suffix = `"msg":${JSON.stringify(msg)}}\n`;
  return (fieldsJson) => {
    if (!log.isLevelEnabled('info')) return;
    if (!stream || typeof stream.write !== 'function') return log.info(JSON.parse(`{${fieldsJson}}`) as object, msg);
    stream.write(`{"level":"info","time":"${new Date().toISOString()}"${prefix},${fieldsJson === '' ? '' : `${fieldsJson},`}${suffix}`);
  };
}
