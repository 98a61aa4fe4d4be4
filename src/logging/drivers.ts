// The log drivers: which exist, the options each accepts (checked when a container is created,
// with dockerd's messages), their values (checked when it starts: "failed to initialize logging
// driver: …"), where each keeps its files, and the writers and readers they are made of.
//   json-file  <dir>/<id>-json.log (+ .1 … .N, .gz), dockerd's JSON lines
//   local      <dir>/local-logs/container.log (+ rotated), dockerd's framed protobuf entries
//   syslog     one message per line to a syslog server; `logs` reads the local cache
//              <dir>/container-cached.log (dockerd's "dual logging"; log-opt cache-disabled=true
//              turns it off)
//   none       nothing is kept; `logs` fails as dockerd's does
//   k8s-file   Berth's own: conmon writes its k8s-file format itself to <dir>/<id>.log (the format
//              of containers made before the drivers); only max-size, and conmon's rotation keeps
//              the newest part of the log only
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgument, NotImplemented, SystemError } from '../errors/index.ts';
import { NumError, byteOrder, parseBool, parseSize, type Logger } from '../lib/index.ts';
import { ByteWriter } from './bytes.ts';
import { jsonLinesCodec, localCodec } from './codecs.ts';
import { extraAttributes, renderTag, type ContainerLogInfo, type HostIdentity } from './info.ts';
import { encodeAttrs, encodeJsonEntry } from './json-file-format.ts';
import { encodeLocalEntry } from './local-format.ts';
import type { LogMessage } from './message.ts';
import { FileSetReader } from './reader.ts';
import { RotatingFile, type RotationPolicy } from './rotating-file.ts';
import { SyslogWriter, parseFacility, parseSyslogAddress, parseSyslogFormat, type UnixDatagramPort } from './syslog.ts';
import type { LogTime } from './time.ts';

export const driverNames = ['json-file', 'local', 'syslog', 'none', 'k8s-file'] as const;
export type DriverName = (typeof driverNames)[number];

/** dockerd's other built-in drivers: named clearly rather than reported as unknown plugins. */
const notSupported = ['journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries'];

/** Options dockerd accepts for every driver: its local cache for drivers that cannot be read. */
const cacheOptions = ['cache-disabled', 'cache-max-size', 'cache-max-file', 'cache-compress'];

const driverOptions: Record<Exclude<DriverName, 'none'>, { keys: string[]; unknown: (key: string) => string }> = {
  'json-file': {
    keys: ['max-file', 'max-size', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'],
    unknown: (k) => `unknown log opt '${k}' for json-file log driver`,
  },
  local: { keys: ['max-file', 'max-size', 'compress'], unknown: (k) => `unknown log opt '${k}' for log driver local` },
  syslog: {
    keys: ['env', 'env-regex', 'labels', 'labels-regex', 'syslog-address', 'syslog-facility', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key', 'syslog-tls-skip-verify', 'tag', 'syslog-format'],
    unknown: (k) => `unknown log opt '${k}' for syslog log driver`,
  },
  'k8s-file': { keys: ['max-size'], unknown: (k) => `unknown log opt '${k}' for k8s-file log driver` },
};

function isDriver(name: string): name is DriverName {
  return (driverNames as readonly string[]).includes(name);
}

/** dockerd's ValidateLogOpts: the driver exists and knows every option (values are checked at start). */
export function validateLogConfig(type: string, config: Record<string, string>): void {
  if (!isDriver(type)) {
    if (notSupported.includes(type)) throw new InvalidArgument(`logging driver "${type}" is not supported by berth (supported: ${driverNames.join(', ')})`);
    throw new InvalidArgument(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  }
  if (type === 'none') return;
  if ('cache-disabled' in config) {
    try {
      parseBool(config['cache-disabled']);
    } catch {
      throw new InvalidArgument(`invalid value for option cache-disabled: ${config['cache-disabled']}`);
    }
  }
  const { keys, unknown } = driverOptions[type];
  for (const key of Object.keys(config)) {
    if (!keys.includes(key) && !cacheOptions.includes(key)) throw new InvalidArgument(unknown(key));
  }
  if (type === 'syslog') {
    parseSyslogAddress(config['syslog-address']);
    parseFacility(config['syslog-facility']);
    parseSyslogFormat(config['syslog-format']);
  }
}

/**
 * dockerd's mergeAndVerifyLogConfig: no type means the daemon's; the daemon's log-opts apply to
 * containers of the daemon's driver, and its cache-* options to every driver.
 */
export function mergeLogConfig(requested: { Type?: string; Config?: Record<string, string> | null } | undefined, daemon: { type: string; config: Record<string, string> }): { Type: string; Config: Record<string, string> } {
  const type = requested?.Type || daemon.type;
  const config: Record<string, string> = { ...(requested?.Config ?? {}) };
  for (const [k, v] of Object.entries(daemon.config)) {
    if ((type === daemon.type || cacheOptions.includes(k)) && !(k in config)) config[k] = v;
  }
  validateLogConfig(type, config);
  // a Go map: its keys come out sorted in the API's JSON
  return { Type: type, Config: Object.fromEntries(Object.entries(config).sort(([a], [b]) => byteOrder(a, b))) };
}

/** The record's LogPath: json-file's file (and k8s-file's), empty for the others, as dockerd. */
export function logPathFor(type: string, id: string, dir: string): string {
  if (type === 'json-file') return join(dir, `${id}-json.log`);
  if (type === 'k8s-file') return join(dir, `${id}.log`);
  return '';
}

/** Containers made before the drivers: json-file by name, conmon's k8s-file format on disk. */
export function isLegacyLog(info: Pick<ContainerLogInfo, 'type' | 'logPath' | 'id'>): boolean {
  return info.type === 'k8s-file' || (info.type === 'json-file' && info.logPath.endsWith(`${info.id}.log`));
}

function atoi(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new NumError('Atoi', value, 'invalid syntax');
  return Number(value);
}

/** dockerd's start error for a driver that cannot start (a 500, as dockerd's is). */
export function initFailure(err: unknown): SystemError {
  return new SystemError(`failed to initialize logging driver: ${(err as Error).message}`, { cause: err });
}

/** json-file's options (jsonfilelog.New): sizes are decimal ("1k" = 1000 bytes). */
export function jsonFilePolicy(config: Record<string, string>): RotationPolicy {
  let maxSize = -1;
  if ('max-size' in config) {
    maxSize = parseSize(config['max-size']);
    if (maxSize <= 0) throw new InvalidArgument('max-size must be a positive number');
  }
  let maxFiles = 1;
  if ('max-file' in config) {
    maxFiles = atoi(config['max-file']);
    if (maxFiles < 1) throw new InvalidArgument('max-file cannot be less than 1');
  }
  let compress = false;
  if ('compress' in config) {
    compress = parseBool(config.compress);
    if (compress && (maxFiles === 1 || maxSize === -1)) throw new InvalidArgument('compress cannot be true when max-file is less than 2 or max-size is not set');
  }
  return { maxSize, maxFiles, compress };
}

/** local's options (local.New), with its defaults of 20 MiB × 5 files, compressed; `prefix` reads cache-* ones. */
export function localPolicy(config: Record<string, string>, prefix = ''): RotationPolicy {
  const policy: RotationPolicy = { maxSize: 20 * 1024 * 1024, maxFiles: 5, compress: true };
  const get = (k: string) => config[prefix + k];
  if (get('max-size') !== undefined) {
    try {
      policy.maxSize = parseSize(get('max-size')!);
    } catch (err) {
      throw new InvalidArgument(`invalid value for ${prefix}max-size: ${get('max-size')}: ${(err as Error).message}`);
    }
  }
  if (get('max-file') !== undefined) {
    try {
      policy.maxFiles = atoi(get('max-file')!);
    } catch (err) {
      throw new InvalidArgument(`invalid value for ${prefix}max-file: ${get('max-file')}: ${(err as Error).message}`);
    }
  }
  if (get('compress') !== undefined) {
    try {
      policy.compress = parseBool(get('compress')!);
    } catch (err) {
      throw new InvalidArgument(`error reading ${prefix}compress log option: ${(err as Error).message}`);
    }
  }
  if (policy.maxSize < 0) throw new InvalidArgument('max size should be a positive number');
  if (policy.maxFiles < 0) throw new InvalidArgument('max file count cannot be less than 0');
  if (policy.compress && policy.maxFiles <= 1) throw new InvalidArgument('compression cannot be enabled when max file count is 1');
  if (policy.maxSize === 0) policy.maxSize = -1;
  return policy;
}

/** Where a container's messages go once cut; one per running container. */
export interface MessageSink {
  log(msgs: readonly LogMessage[]): Promise<void>;
  close(): Promise<void>;
  /** The file `logs --follow` watches, when the driver keeps one. */
  readonly file?: RotatingFile;
}

class FileSink implements MessageSink {
  readonly file: RotatingFile;
  readonly #encode: (w: ByteWriter, m: LogMessage) => void;
  readonly #w = new ByteWriter();

  constructor(file: RotatingFile, encode: (w: ByteWriter, m: LogMessage) => void) {
    this.file = file;
    this.#encode = encode;
  }

  async log(msgs: readonly LogMessage[]): Promise<void> {
    if (!msgs.length) return;
    const w = this.#w;
    w.reset();
    const ends: number[] = [];
    const times: LogTime[] = [];
    for (const m of msgs) {
      this.#encode(w, m);
      ends.push(w.length);
      times.push(m.time);
    }
    await this.file.write(w.buf.subarray(0, w.length), ends, times);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

class SyslogSink implements MessageSink {
  readonly file?: RotatingFile;
  readonly #writer: SyslogWriter;
  readonly #cache: FileSink | undefined;

  constructor(writer: SyslogWriter, cache: FileSink | undefined) {
    this.#writer = writer;
    this.#cache = cache;
    if (cache) this.file = cache.file;
  }

  async log(msgs: readonly LogMessage[]): Promise<void> {
    await this.#cache?.log(msgs);
    await this.#writer.log(msgs);
  }

  async close(): Promise<void> {
    this.#writer.close();
    await this.#cache?.close();
  }
}

export interface DriverEnvironment {
  host: HostIdentity;
  datagram: UnixDatagramPort;
  log: Logger;
}

function localLogPath(dir: string): string {
  return join(dir, 'local-logs', 'container.log');
}

function cachePath(dir: string): string {
  return join(dir, 'container-cached.log');
}

function cacheEnabled(config: Record<string, string>): boolean {
  return !('cache-disabled' in config) || !parseBool(config['cache-disabled']);
}

/**
 * The sink for a starting container, or undefined when conmon itself handles the output (none,
 * k8s-file). Option values are checked here, as dockerd checks them when the container starts.
 */
export async function openSink(info: ContainerLogInfo, env: DriverEnvironment): Promise<MessageSink | undefined> {
  try {
    switch (info.type) {
      case 'json-file': {
        const policy = jsonFilePolicy(info.config);
        const attrs = extraAttributes(info);
        const tag = renderTag(info, env.host, '');
        if (tag) attrs.tag = tag;
        let attrsJson: Buffer | undefined;
        if (Object.keys(attrs).length) {
          const w = new ByteWriter(256);
          encodeAttrs(w, attrs);
          attrsJson = w.take();
        }
        const file = new RotatingFile(info.logPath, policy, { log: env.log });
        file.open();
        return new FileSink(file, (w, m) => encodeJsonEntry(w, m, attrsJson));
      }
      case 'local': {
        const policy = localPolicy(info.config);
        mkdirSync(join(info.dir, 'local-logs'), { recursive: true, mode: 0o700 });
        const file = new RotatingFile(localLogPath(info.dir), policy, { log: env.log });
        file.open();
        return new FileSink(file, encodeLocalEntry);
      }
      case 'syslog': {
        const c = info.config;
        const writer = await SyslogWriter.open({
          address: parseSyslogAddress(c['syslog-address']),
          facility: parseFacility(c['syslog-facility']),
          format: parseSyslogFormat(c['syslog-format']),
          tag: renderTag(info, env.host, '{{.ID}}'),
          hostname: env.host.hostname,
          pid: env.host.pid,
          ...(c['syslog-address']?.startsWith('tcp+tls://')
            ? { tls: { ca: c['syslog-tls-ca-cert'], cert: c['syslog-tls-cert'], key: c['syslog-tls-key'], skipVerify: 'syslog-tls-skip-verify' in c && parseBool(c['syslog-tls-skip-verify']) } }
            : {}),
          datagram: env.datagram,
          log: env.log,
        });
        let cache: FileSink | undefined;
        if (cacheEnabled(c)) {
          try {
            const file = new RotatingFile(cachePath(info.dir), localPolicy(c, 'cache-'), { log: env.log });
            file.open();
            cache = new FileSink(file, encodeLocalEntry);
          } catch (err) {
            writer.close();
            throw err;
          }
        }
        return new SyslogSink(writer, cache);
      }
      default:
        return undefined;
    }
  } catch (err) {
    throw initFailure(err);
  }
}

/** The reader of a container's log, or NotImplemented (dockerd's 501) for a driver that keeps none. */
export function fileReader(info: ContainerLogInfo, live: RotatingFile | undefined): FileSetReader {
  switch (info.type) {
    case 'json-file':
      return new FileSetReader(jsonLinesCodec, info.logPath, live);
    case 'local':
      return new FileSetReader(localCodec, localLogPath(info.dir), live);
    case 'syslog':
      if (cacheEnabled(info.config)) return new FileSetReader(localCodec, cachePath(info.dir), live);
      break;
  }
  throw new NotImplemented('configured logging driver does not support reading');
}
