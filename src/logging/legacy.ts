// Logs conmon wrote itself in its k8s-file format: containers made before the log drivers (their
// LogPath is <dir>/<id>.log) and k8s-file ones. They are read here as they are; a json-file
// container of the old kind is converted to <id>-json.log the next time it starts.
import { closeSync, constants, fstatSync, openSync, promises as fsp, read, statSync, watch } from 'node:fs';
import { Copier } from './copier.ts';
import { K8sLineSplitter } from './k8s-file.ts';
import { endsLine, type LogEntry, type LogMessage } from './message.ts';
import type { ReadOptions } from './reader.ts';
import { compareTime, type LogTime } from './time.ts';

function toEntry(m: LogMessage): LogEntry {
  return { stream: m.source, time: m.time, data: endsLine(m) ? Buffer.concat([m.line, Buffer.from('\n')]) : m.line };
}

function preadAsync(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

export interface LegacyFollow {
  /** Whether the container still runs (conmon may write more). */
  running(): boolean;
  /** Resolves when the container stops. */
  stopped(): Promise<void>;
}

/** Reads a k8s-file log with --tail, --since, --until and --follow (until the container stops). */
export async function* readK8sFile(path: string, options: ReadOptions, follow: LegacyFollow | undefined, signal?: AbortSignal): AsyncGenerator<LogEntry[]> {
  let fd = -1;
  let ino = 0;
  let offset = 0;
  const splitter = new K8sLineSplitter();
  const copier = new Copier();
  const open = (): boolean => {
    try {
      fd = openSync(path, constants.O_RDONLY);
      ino = fstatSync(fd).ino;
      offset = 0;
      splitter.reset();
      return true;
    } catch {
      return false;
    }
  };
  const buf = Buffer.allocUnsafe(256 * 1024);
  const drain = async (): Promise<LogEntry[]> => {
    const out: LogMessage[] = [];
    if (fd < 0 && !open()) return [];
    for (let n; (n = await preadAsync(fd, buf, offset)) > 0; ) {
      offset += n;
      splitter.push(buf.subarray(0, n), (rec) => copier.push(rec, out));
    }
    return out.map(toEntry);
  };
  const since: LogTime | undefined = options.since;
  const until: LogTime | undefined = options.until;
  const keep = (e: LogEntry) => !since || compareTime(e.time, since) >= 0;
  const stop = (e: LogEntry) => !!until && compareTime(e.time, until) > 0;
  try {
    const initial = await drain();
    if (!options.follow || !follow?.running()) {
      const rest: LogMessage[] = [];
      copier.flush(rest);
      initial.push(...rest.map(toEntry));
    }
    const picked = options.tail === undefined ? initial : options.tail === 0 ? [] : initial.slice(-options.tail);
    const first: LogEntry[] = [];
    for (const e of picked) {
      if (stop(e)) {
        yield first;
        return;
      }
      if (keep(e)) first.push(e);
    }
    yield first;
    if (!options.follow || !follow || !follow.running() || signal?.aborted) return;
    let wake: (() => void) | undefined;
    let stopped = false;
    const poke = () => wake?.();
    const watcher = (() => {
      try {
        return watch(path, poke);
      } catch {
        return undefined;
      }
    })();
    signal?.addEventListener('abort', poke);
    void follow.stopped().then(() => {
      stopped = true;
      poke();
    });
    try {
      while (!signal?.aborted) {
        const wasStopped = stopped;
        const batch: LogEntry[] = [];
        for (const e of await drain()) {
          if (stop(e)) {
            yield batch;
            return;
          }
          if (keep(e)) batch.push(e);
        }
        if (batch.length) yield batch;
        // conmon's rotation renames a new file over the old one
        const st = (() => {
          try {
            return statSync(path);
          } catch {
            return undefined;
          }
        })();
        if (st && st.ino !== ino) {
          closeSync(fd);
          fd = -1;
          open();
          continue;
        }
        if (wasStopped) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
        wake = undefined;
      }
    } finally {
      watcher?.close();
      signal?.removeEventListener('abort', poke);
    }
    const rest: LogMessage[] = [];
    copier.flush(rest);
    yield rest.map(toEntry).filter((e) => keep(e) && !stop(e));
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * Feeds a stopped container's k8s-file log to `sink` (the json-file driver of its new log file),
 * then removes the old file.
 */
export async function replayK8sFile(k8sPath: string, sink: { log(msgs: readonly LogMessage[]): Promise<void> }): Promise<void> {
  let fd: number;
  try {
    fd = openSync(k8sPath, constants.O_RDONLY);
  } catch {
    return; // no log yet
  }
  const splitter = new K8sLineSplitter();
  const copier = new Copier();
  try {
    const buf = Buffer.allocUnsafe(256 * 1024);
    let offset = 0;
    for (let n; (n = await preadAsync(fd, buf, offset)) > 0; ) {
      offset += n;
      const msgs: LogMessage[] = [];
      splitter.push(buf.subarray(0, n), (rec) => copier.push(rec, msgs));
      await sink.log(msgs);
    }
    const rest: LogMessage[] = [];
    copier.flush(rest);
    await sink.log(rest);
  } finally {
    closeSync(fd);
  }
  await fsp.rm(k8sPath, { force: true });
}
