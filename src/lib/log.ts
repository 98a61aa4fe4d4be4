// A leveled logger writing dockerd's (logrus text) line format to stderr:
//   time="2024-01-01T10:00:00.123456789Z" level=info msg="..." key=value
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

export function isLogLevel(s: string): s is LogLevel {
  return s in order;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  level: LogLevel;
}

function quote(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
  return /^[\w./:@-]+$/.test(s) ? s : JSON.stringify(s);
}

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void; fields?: Record<string, unknown> } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.fields ?? {};
  const logger: Logger = {
    level: options.level ?? 'info',
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => {
      const c = createLogger({ level: logger.level, write, fields: { ...base, ...fields } });
      // Children follow later level changes of their parent.
      Object.defineProperty(c, 'level', { get: () => logger.level, set: (l: LogLevel) => (logger.level = l) });
      return c;
    },
  };
  function emit(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (order[level] < order[logger.level]) return;
    let line = `time="${new Date().toISOString()}" level=${level === 'warn' ? 'warning' : level} msg=${JSON.stringify(msg)}`;
    for (const [k, v] of Object.entries({ ...base, ...fields })) if (v !== undefined) line += ` ${k}=${quote(v)}`;
    write(line + '\n');
  }
  return logger;
}

export const silentLogger: Logger = createLogger({ write: () => {} });
