// Cuts a container's output into messages exactly where dockerd's copier (daemon/logger/copier.go)
// cuts it, so that the entries on disk are the ones dockerd would write: one message per line, and
// a line longer than 16 KiB in 16 KiB pieces that all carry the time of the first piece; output
// left without a newline when the stream ends is a last, unfinished piece. conmon delivers the
// output in records cut wherever its reads happened to end; those are joined here first.
import { randomBytes } from 'node:crypto';
import type { K8sRecord } from './k8s-file.ts';
import type { LogMessage, LogStream } from './message.ts';
import type { LogTime } from './time.ts';

/** dockerd's defaultBufSize: a line is cut when this much of it has no newline. */
export const maxLineBytes = 16 * 1024;

class StreamLine {
  parts: Buffer[] = [];
  length = 0;
  partialId = '';
  ordinal = 0;
  partialTime: LogTime | undefined;
  lastTime: LogTime | undefined;
}

export class Copier {
  readonly #streams: Record<LogStream, StreamLine> = { stdout: new StreamLine(), stderr: new StreamLine() };

  /** The messages a record completes (none while a line is still short of its newline). */
  push(rec: K8sRecord, out: LogMessage[]): void {
    const s = this.#streams[rec.stream];
    s.lastTime = rec.time;
    // the common case, a whole line in one record: no copy (the message is written before the
    // chunk it points into is let go)
    if (!rec.partial && s.length === 0 && s.partialTime === undefined && rec.content.length < maxLineBytes) {
      out.push({ source: rec.stream, time: rec.time, line: rec.content });
      return;
    }
    if (rec.content.length) {
      s.parts.push(Buffer.from(rec.content));
      s.length += rec.content.length;
    }
    while (s.length >= maxLineBytes) out.push(this.#piece(rec.stream, s, maxLineBytes, rec.time, false));
    if (!rec.partial) {
      const line = this.#take(s, s.length);
      if (s.partialTime) {
        out.push({ source: rec.stream, time: s.partialTime, line, partial: { id: s.partialId, ordinal: s.ordinal, last: true } });
        s.partialTime = undefined;
      } else out.push({ source: rec.stream, time: rec.time, line });
    }
  }

  /** Whether a stream has the beginning of a line that is not written yet. */
  pending(stream: LogStream): boolean {
    const s = this.#streams[stream];
    return s.length > 0 || s.partialTime !== undefined;
  }

  /** The end of the output: what is left of each stream becomes a last, unfinished piece. */
  flush(out: LogMessage[]): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const s = this.#streams[stream];
      if (s.length > 0) out.push(this.#piece(stream, s, s.length, s.lastTime!, false));
      s.partialTime = undefined;
    }
  }

  #piece(source: LogStream, s: StreamLine, bytes: number, now: LogTime, last: boolean): LogMessage {
    if (!s.partialTime) {
      s.partialTime = now;
      s.partialId = randomBytes(32).toString('hex');
      s.ordinal = 1;
    }
    const msg: LogMessage = { source, time: s.partialTime, line: this.#take(s, bytes), partial: { id: s.partialId, ordinal: s.ordinal, last } };
    s.ordinal++;
    return msg;
  }

  #take(s: StreamLine, bytes: number): Buffer {
    const all = s.parts.length === 1 ? s.parts[0] : Buffer.concat(s.parts, s.length);
    const line = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    s.parts = rest.length ? [rest] : [];
    s.length = rest.length;
    return line;
  }
}
