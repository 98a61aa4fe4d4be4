// Reading a container's log, which conmon writes in its k8s-file format, one record per line:
//   2024-01-01T10:00:00.123456789+00:00 stdout F the text
// "P" marks a partial record continued by the next one. `--follow` keeps reading as conmon
// appends, until the container stops and the file is drained; a rotated file is reopened.
import { promises as fsp, watch } from 'node:fs';
import type { Container } from './container.ts';

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Only records at or after this time, in ns since the epoch. */
  sinceNs?: bigint;
  /** Only records before this time, in ns since the epoch. */
  untilNs?: bigint;
  /** The last n records only; undefined for all. */
  tail?: number;
}

export interface LogRecord {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano in UTC, as docker prints with --timestamps. */
  time: string;
  timeNs: bigint;
  data: Buffer;
}

/** Parses conmon's RFC3339 timestamp with offset into ns since the epoch. */
export function parseLogTime(ts: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

export function formatLogTime(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${base}${frac ? '.' + frac : ''}Z`;
}

interface Parsed { stream: 'stdout' | 'stderr'; partial: boolean; timeNs: bigint; content: Buffer }

function parseLine(line: Buffer): Parsed | undefined {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  const s3 = s2 < 0 ? -1 : line.indexOf(0x20, s2 + 1);
  if (s3 < 0) {
    // "ts stream F" with empty content has no third space
    if (s2 < 0) return undefined;
  }
  const timeNs = parseLogTime(line.subarray(0, s1).toString('latin1'));
  if (timeNs === undefined) return undefined;
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  const tagEnd = s3 < 0 ? line.length : s3;
  const tag = line.subarray(s2 + 1, tagEnd).toString('latin1');
  return {
    stream: stream === 'stderr' ? 'stderr' : 'stdout',
    partial: tag.split(':').includes('P'),
    timeNs,
    content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1),
  };
}

/** Assembles whole records out of lines, joining partials. */
class RecordAssembler {
  #pending = new Map<string, { timeNs: bigint; parts: Buffer[] }>();

  push(p: Parsed): LogRecord | undefined {
    const pend = this.#pending.get(p.stream);
    if (p.partial) {
      if (pend) pend.parts.push(p.content);
      else this.#pending.set(p.stream, { timeNs: p.timeNs, parts: [p.content] });
      return undefined;
    }
    this.#pending.delete(p.stream);
    const parts = pend ? [...pend.parts, p.content, Buffer.from('\n')] : [p.content, Buffer.from('\n')];
    const timeNs = pend ? pend.timeNs : p.timeNs;
    return { stream: p.stream, timeNs, time: formatLogTime(timeNs), data: Buffer.concat(parts) };
  }

  /** A partial record left at the end of the output (no trailing newline). */
  flush(): LogRecord[] {
    const out = [...this.#pending.entries()].map(([stream, p]) => ({
      stream: stream as 'stdout' | 'stderr',
      timeNs: p.timeNs,
      time: formatLogTime(p.timeNs),
      data: Buffer.concat(p.parts),
    }));
    this.#pending.clear();
    return out;
  }
}

function wanted(r: LogRecord, o: LogOptions): boolean {
  if (r.stream === 'stdout' && !o.stdout) return false;
  if (r.stream === 'stderr' && !o.stderr) return false;
  if (o.sinceNs !== undefined && r.timeNs < o.sinceNs) return false;
  if (o.untilNs !== undefined && r.timeNs >= o.untilNs) return false;
  return true;
}

/**
 * Yields the container's log records. With `follow`, waits for more until the container is not
 * running (and everything written is read) or `signal` aborts.
 */
export async function* readLogs(c: Container, options: LogOptions, signal?: AbortSignal): AsyncGenerator<LogRecord> {
  const path = c.record.LogPath;
  const assembler = new RecordAssembler();
  let fh: fsp.FileHandle | undefined;
  let ino = 0;
  let offset = 0;
  let rest = Buffer.alloc(0);
  const tail: LogRecord[] = [];
  let tailing = options.tail !== undefined && options.tail >= 0;

  const open = async (): Promise<boolean> => {
    try {
      fh = await fsp.open(path, 'r');
      ino = (await fh.stat()).ino;
      offset = 0;
      rest = Buffer.alloc(0);
      return true;
    } catch {
      fh = undefined;
      return false;
    }
  };

  /** Reads what is there now; returns the new records. */
  const drain = async (): Promise<LogRecord[]> => {
    if (!fh && !(await open())) return [];
    const out: LogRecord[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const { bytesRead } = await fh!.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      let chunk = Buffer.concat([rest, buf.subarray(0, bytesRead)]);
      let nl: number;
      while ((nl = chunk.indexOf(0x0a)) >= 0) {
        const parsed = parseLine(chunk.subarray(0, nl));
        chunk = chunk.subarray(nl + 1);
        if (!parsed) continue;
        const rec = assembler.push(parsed);
        if (rec && wanted(rec, options)) out.push({ ...rec, data: Buffer.from(rec.data) });
      }
      rest = Buffer.from(chunk);
    }
    return out;
  };

  try {
    const initial = await drain();
    // Without --follow, a partial record at the end (output without a final newline) is a
    // record too, and counts for --tail.
    if (!options.follow) initial.push(...assembler.flush().filter((rec) => wanted(rec, options)));
    for (const rec of initial) {
      if (tailing) {
        tail.push(rec);
        if (tail.length > options.tail!) tail.shift();
      } else yield rec;
    }
    if (tailing) {
      yield* tail;
      tailing = false;
    }
    if (!options.follow || signal?.aborted) return;
    // Follow: wake on file changes, on the container stopping, or every second as a safety net.
    let wake: (() => void) | undefined;
    const poke = () => wake?.();
    const watcher = (() => {
      try {
        return watch(path, poke);
      } catch {
        return undefined;
      }
    })();
    signal?.addEventListener('abort', poke);
    const stopWait = new AbortController();
    let stopped = !c.running;
    void c.wait('not-running', stopWait.signal).then(
      () => {
        stopped = true;
        poke();
      },
      () => {},
    );
    try {
      while (!signal?.aborted) {
        const wasStopped = stopped;
        for (const rec of await drain()) yield rec;
        // A rotated log: conmon renamed a fresh file over the old one.
        const st = await fsp.stat(path).catch(() => undefined);
        if (st && st.ino !== ino) {
          await fh?.close();
          fh = undefined;
          await open();
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
      stopWait.abort();
      signal?.removeEventListener('abort', poke);
    }
    for (const rec of assembler.flush()) if (wanted(rec, options)) yield rec;
  } finally {
    await fh?.close();
  }
}
