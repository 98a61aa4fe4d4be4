// What flows through the logging subsystem: messages cut from a container's output the way
// dockerd's copier cuts them, and the entries a reader gives back.
import type { LogTime } from './time.ts';

export type LogStream = 'stdout' | 'stderr';

/** dockerd's PartialLogMetaData: one long line written as several messages. */
export interface PartialMeta {
  id: string;
  /** 1 for the first piece. */
  ordinal: number;
  /** The piece that ends the line (its newline came). */
  last: boolean;
}

export interface LogMessage {
  source: LogStream;
  time: LogTime;
  /** The bytes without the line's newline. */
  line: Buffer;
  /** Set on the pieces of a line longer than 16 KiB, and on output that ended without a newline. */
  partial?: PartialMeta;
}

/** A whole line ends with a newline: a message that is not a piece, or the last piece. */
export function endsLine(msg: LogMessage): boolean {
  return msg.partial === undefined || msg.partial.last;
}

/** A log entry read back. */
export interface LogEntry {
  stream: LogStream;
  time: LogTime;
  /** What `logs` prints: the line with its newline when it had one. */
  data: Buffer;
  /** Extra attributes (log-opt labels/env/tag), for `logs --details`. */
  attrs?: Array<[string, string]>;
}
