// The logging subsystem's service: one ContainerLogger per running container, and the readers
// behind `logs`. The engine calls prepare() before conmon starts (a bad option fails the start
// there, with nothing half-made), adopt() with the output pipe of a container a restarted berthd
// finds (running, or exited meanwhile), finish() when a container exits (its log is complete when
// that resolves) and close() when berthd stops.
import os from 'node:os';
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { parseSize, type Logger } from '../lib/index.ts';
import { ContainerLogger } from './container-logger.ts';
import { fileReader, initFailure, isLegacyLog, logPathFor, mergeLogConfig, openSink, validateLogConfig, type DriverEnvironment, type MessageSink } from './drivers.ts';
import type { ContainerLogInfo, HostIdentity } from './info.ts';
import { readK8sFile, replayK8sFile, type LegacyFollow } from './legacy.ts';
import type { LogEntry } from './message.ts';
import type { ReadOptions } from './reader.ts';
import type { UnixDatagramPort } from './syslog.ts';

/** How conmon is told to write the container's output: into a pipe berthd reads, a file, or nowhere. */
export type ConmonLog = { driver: 'pipe' } | { driver: 'k8s-file'; path: string; sizeMax?: number } | { driver: 'none' };

export interface PreparedLog {
  conmon: ConmonLog;
  /** conmon runs: read its output (the pipe's read end, for the pipe). */
  start(output: Readable | undefined): Promise<void>;
  /** The start failed: close the driver. */
  cancel(): Promise<void>;
}

export interface LoggingOptions {
  log: Logger;
  datagram: UnixDatagramPort;
  /** daemon.json's log-driver and log-opts. */
  defaults?: { type: string; config: Record<string, string> };
  host?: HostIdentity;
}

export class LogService {
  readonly #env: DriverEnvironment;
  readonly #log: Logger;
  readonly #active = new Map<string, ContainerLogger>();
  readonly #defaults: { type: string; config: Record<string, string> };

  constructor(options: LoggingOptions) {
    this.#log = options.log;
    this.#defaults = options.defaults ?? { type: 'json-file', config: {} };
    try {
      validateLogConfig(this.#defaults.type, this.#defaults.config);
    } catch (err) {
      throw new InvalidArgument(`failed to set log opts: ${(err as Error).message}`, { cause: err });
    }
    this.#env = { host: options.host ?? { hostname: os.hostname(), pid: process.pid }, datagram: options.datagram, log: options.log };
  }

  /** dockerd's mergeAndVerifyLogConfig, for a container being created. */
  configure(requested: { Type?: string; Config?: Record<string, string> | null } | undefined): { Type: string; Config: Record<string, string> } {
    return mergeLogConfig(requested, this.#defaults);
  }

  logPath(type: string, id: string, dir: string): string {
    return logPathFor(type, id, dir);
  }

  async prepare(info: ContainerLogInfo): Promise<PreparedLog> {
    if (info.type === 'none') return { conmon: { driver: 'none' }, start: async () => {}, cancel: async () => {} };
    if (info.type === 'k8s-file') {
      let sizeMax: number | undefined;
      if (info.config['max-size']) {
        try {
          sizeMax = parseSize(info.config['max-size']);
        } catch (err) {
          throw initFailure(err);
        }
      }
      return { conmon: { driver: 'k8s-file', path: info.logPath, ...(sizeMax ? { sizeMax } : {}) }, start: async () => {}, cancel: async () => {} };
    }
    if (isLegacyLog(info)) throw new Error(`the log of ${info.id} must be converted before it starts`);
    const sink = (await openSink(info, this.#env))!;
    return {
      conmon: { driver: 'pipe' },
      start: async (output) => {
        if (!output) return void (await sink.close());
        await this.#follow(info, sink, output);
      },
      cancel: () => sink.close(),
    };
  }

  async #follow(info: ContainerLogInfo, sink: MessageSink, output: Readable): Promise<void> {
    const logger = new ContainerLogger({ dir: info.dir, sink, log: this.#log.child({ container: info.id }) });
    this.#active.set(info.id, logger);
    await logger.consume(output);
  }

  /**
   * berthd (re)started and found the container's output pipe: what conmon wrote meanwhile is
   * read now, and the rest as it comes (until the container's exit is finished).
   */
  async adopt(info: ContainerLogInfo, output: Readable): Promise<void> {
    if (this.#active.has(info.id) || info.type === 'none' || isLegacyLog(info)) {
      output.destroy();
      return;
    }
    const sink = await this.#sinkFor(info);
    if (!sink) {
      // the output is drained anyway, so that the container never blocks on it
      output.resume();
      return;
    }
    await this.#follow(info, sink, output);
  }

  /** The container exited: its log holds everything it wrote when this resolves. */
  async finish(info: ContainerLogInfo): Promise<void> {
    const logger = this.#active.get(info.id);
    if (!logger) return;
    try {
      await logger.finish();
    } finally {
      if (this.#active.get(info.id) === logger) this.#active.delete(info.id);
    }
  }

  async #sinkFor(info: ContainerLogInfo): Promise<MessageSink | undefined> {
    try {
      return await openSink(info, this.#env);
    } catch (err) {
      this.#log.error('cannot open the container log driver; its output is not recorded', { container: info.id, error: err });
      return undefined;
    }
  }

  /**
   * The container's log entries, in batches. Throws at once (not on the first iteration) when the driver
   * keeps no log, so that the API can answer with an error status.
   */
  read(info: ContainerLogInfo, options: ReadOptions, legacy: LegacyFollow | undefined, signal?: AbortSignal): AsyncIterable<LogEntry[]> {
    if (isLegacyLog(info)) return readK8sFile(info.logPath, options, legacy, signal);
    const reader = fileReader(info, this.#active.get(info.id)?.sink.file);
    return reader.read(options, signal);
  }

  /**
   * A json-file container made before the drivers, about to start: its k8s-file log becomes
   * <id>-json.log. Returns the new LogPath (undefined when nothing changes).
   */
  async migrate(info: ContainerLogInfo): Promise<string | undefined> {
    if (info.type !== 'json-file' || !isLegacyLog(info)) return undefined;
    const jsonPath = logPathFor('json-file', info.id, info.dir);
    const sink = (await openSink({ ...info, logPath: jsonPath }, this.#env))!;
    try {
      await replayK8sFile(info.logPath, sink);
    } finally {
      await sink.close();
    }
    return jsonPath;
  }

  /** berthd stops: each pipeline writes what it read; the rest waits in the pipes for the next berthd. */
  async close(): Promise<void> {
    const loggers = [...this.#active.values()];
    this.#active.clear();
    await Promise.all(loggers.map((l) => l.detach().catch((err: unknown) => this.#log.warn('saving a log position failed', { error: err }))));
  }
}
