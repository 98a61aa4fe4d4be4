// conmon's k8s-file format, one record per line:
//   2024-01-01T10:00:00.123456789+00:00 stdout F the text
// "F" ends a line, "P" is a piece of one that continues in the next record (conmon writes what
// each read of the container's pipe gave it). conmon writes this format into the output pipe
// berthd converts from, and containers made before the log drivers (and `k8s-file` ones) keep
// their whole log in it.
import type { LogStream } from './message.ts';
import { parseRfc3339, type LogTime } from './time.ts';

export interface K8sRecord {
  stream: LogStream;
  time: LogTime;
  /** "P": the line continues in a later record of the same stream. */
  partial: boolean;
  /** A view into the parsed chunk: copy it to keep it. */
  content: Buffer;
}

/**
 * conmon stamps all the records of one read of the container's pipe alike: the last stamp's
 * bytes and time are kept, so that a run of records costs one parse.
 */
class StampCache {
  bytes: Buffer = Buffer.alloc(0);
  time: LogTime = { sec: 0, nsec: 0 };

  parse(data: Buffer, start: number, end: number): LogTime | undefined {
    const len = end - start;
    if (len === this.bytes.length && data.compare(this.bytes, 0, len, start, end) === 0) return this.time;
    const time = parseRfc3339(data.toString('latin1', start, end));
    if (!time) return undefined;
    this.bytes = Buffer.from(data.subarray(start, end));
    this.time = time;
    return time;
  }
}

/** Parses one record, data[start, end) without its newline; undefined when it is not one. */
function parseRecord(data: Buffer, start: number, end: number, stamps: StampCache): K8sRecord | undefined {
  const s1 = data.indexOf(0x20, start);
  if (s1 < 0 || s1 >= end) return undefined;
  const s2 = data.indexOf(0x20, s1 + 1);
  if (s2 < 0 || s2 >= end) return undefined;
  let s3 = data.indexOf(0x20, s2 + 1);
  // "ts stream F" with nothing after it: an empty line
  if (s3 < 0 || s3 > end) s3 = end;
  const streamLen = s2 - s1 - 1;
  let stream: LogStream;
  if (streamLen === 6 && data[s1 + 4] === 0x6f) stream = 'stdout';
  else if (streamLen === 6 && data[s1 + 4] === 0x65) stream = 'stderr';
  else return undefined;
  const time = stamps.parse(data, start, s1);
  if (!time) return undefined;
  // tags are ':'-separated; conmon writes "F" or "P"
  let partial = false;
  if (s3 === s2 + 2) partial = data[s2 + 1] === 0x50;
  else {
    for (let i = s2 + 1; i < s3; i++) {
      if (data[i] === 0x50 && (i === s2 + 1 || data[i - 1] === 0x3a) && (i + 1 === s3 || data[i + 1] === 0x3a)) partial = true;
    }
  }
  return { stream, time, partial, content: data.subarray(Math.min(s3 + 1, end), end) };
}

/** Parses one line (without its newline); undefined when it is not a record. */
export function parseK8sLine(line: Buffer): K8sRecord | undefined {
  return parseRecord(line, 0, line.length, new StampCache());
}

/**
 * Splits a byte stream into records. `push` returns the records of the complete lines so far;
 * the bytes of an unfinished line wait for the next chunk. `pendingBytes` counts them, so a
 * caller that knows how far it has read knows where the unfinished line began.
 */
export class K8sLineSplitter {
  #rest: Buffer = Buffer.alloc(0);

  get pendingBytes(): number {
    return this.#rest.length;
  }

  readonly #stamps = new StampCache();

  /** Each record with the offset, relative to the end of `chunk`, at which its line begins. */
  push(chunk: Buffer, onRecord: (rec: K8sRecord, bytesFromEnd: number) => void): void {
    const data = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      const rec = parseRecord(data, start, nl, this.#stamps);
      if (rec) onRecord(rec, data.length - start);
      start = nl + 1;
    }
    this.#rest = start === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(start));
  }

  reset(): void {
    this.#rest = Buffer.alloc(0);
  }

  /** The bytes of the unfinished line, which the splitter forgets. */
  take(): Buffer {
    const rest = this.#rest;
    this.#rest = Buffer.alloc(0);
    return rest;
  }
}
