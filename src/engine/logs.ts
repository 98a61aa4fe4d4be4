// A container's log as the engine sees it: what the logging subsystem needs to know of the
// container, and `logs` with dockerd's options. The drivers, files and formats are logging's.
import type { ContainerLogInfo, LogEntry, ReadOptions } from '../logging/index.ts';
import { timeFromNs } from '../logging/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Only entries at or after this time, in ns since the epoch. */
  sinceNs?: bigint;
  /** Stop at the first entry after this time, in ns since the epoch. */
  untilNs?: bigint;
  /** The last n entries (of both streams, before they are filtered by stream); undefined for all. */
  tail?: number;
}

export type LogRecord = LogEntry;

export function logInfo(c: Container): ContainerLogInfo {
  const rec = c.record;
  return {
    id: c.id,
    name: rec.Name,
    imageId: rec.Image,
    imageName: rec.Config.Image,
    entrypoint: rec.Path,
    args: rec.Args,
    created: rec.Created,
    labels: rec.Config.Labels ?? {},
    env: rec.Config.Env ?? [],
    dir: c.dir,
    logPath: rec.LogPath,
    type: c.hostConfig.LogConfig.Type,
    config: c.hostConfig.LogConfig.Config ?? {},
  };
}

/**
 * The container's log entries, in batches. Throws before the first entry (dockerd's 501) when its driver
 * keeps no log; with `follow`, goes on until the container stops or `signal` aborts.
 */
export function readLogs(ctx: Pick<EngineContext, 'logs'>, c: Container, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogEntry[]> {
  const read: ReadOptions = {
    follow: options.follow,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.sinceNs !== undefined ? { since: timeFromNs(options.sinceNs) } : {}),
    ...(options.untilNs !== undefined ? { until: timeFromNs(options.untilNs) } : {}),
  };
  const stopWait = new AbortController();
  const entries = ctx.logs.read(logInfo(c), read, {
    running: () => c.running,
    stopped: () =>
      c.wait('not-running', stopWait.signal).then(
        () => {},
        () => {},
      ),
  }, signal);
  const wanted = (e: LogEntry) => (e.stream === 'stdout' ? options.stdout : options.stderr);
  return (async function* () {
    try {
      for await (const batch of entries) {
        const picked = options.stdout && options.stderr ? batch : batch.filter(wanted);
        if (picked.length) yield picked;
      }
    } finally {
      stopWait.abort();
    }
  })();
}
