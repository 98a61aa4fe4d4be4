// dockerd's json-file entries, one JSON object per line:
//   {"log":"hello\n","stream":"stdout","attrs":{"tag":"web"},"time":"2024-01-01T10:00:00.123456789Z"}
// written byte for byte as jsonlog.JSONLogs.MarshalJSONBuf writes them (keys in that order, "log"
// left out when empty, "attrs" only with log-opt labels/env/tag), and read back with a fast path
// for that exact shape and JSON.parse for anything else.
import type { ByteWriter } from './bytes.ts';
import { writeJsonString } from './json-string.ts';
import { endsLine, type LogEntry, type LogMessage, type LogStream } from './message.ts';
import { parseRfc3339, rfc3339Nano, type LogTime } from './time.ts';

/** The "attrs" object as encoding/json marshals a map[string]string: keys sorted. */
export function encodeAttrs(w: ByteWriter, attrs: Record<string, string>): void {
  const keys = Object.keys(attrs).sort();
  w.byte(0x7b);
  keys.forEach((k, i) => {
    if (i > 0) w.byte(0x2c);
    writeJsonString(w, Buffer.from(k), 0, undefined, true);
    w.byte(0x3a);
    writeJsonString(w, Buffer.from(attrs[k]), 0, undefined, true);
  });
  w.byte(0x7d);
}

const openLog = Buffer.from('{"log":');
const openStream = { stdout: Buffer.from(',"stream":"stdout"'), stderr: Buffer.from(',"stream":"stderr"') };
const attrsKey = Buffer.from(',"attrs":');
const escapedNewline = Buffer.from('\\n"');

/** The last time encoded: entries of one read of conmon's share it. */
let lastTime: LogTime | undefined;
let lastTimeJson: Buffer = Buffer.alloc(0);

/** Appends one entry and its newline; `attrs` is the pre-encoded "attrs" object, if any. */
export function encodeJsonEntry(w: ByteWriter, msg: LogMessage, attrs?: Buffer): void {
  const whole = endsLine(msg);
  if (whole || msg.line.length) {
    w.bytes(openLog);
    if (whole) {
      // the string without its closing quote, then the newline's escape and the quote
      writeJsonString(w, msg.line);
      w.length--;
      w.bytes(escapedNewline);
    } else writeJsonString(w, msg.line);
    w.bytes(openStream[msg.source]);
  } else {
    w.byte(0x7b);
    w.bytes(openStream[msg.source], 1);
  }
  if (attrs?.length) {
    w.bytes(attrsKey);
    w.bytes(attrs);
  }
  if (msg.time !== lastTime) {
    lastTime = msg.time;
    lastTimeJson = Buffer.from(`,"time":"${rfc3339Nano(msg.time)}"}\n`);
  }
  w.bytes(lastTimeJson);
}

const logKey = Buffer.from('{"log":"');
const streamStdout = Buffer.from('","stream":"stdout"');
const streamStderr = Buffer.from('","stream":"stderr"');
const timeKey = Buffer.from(',"time":"');
const backslashN = 0x6e;

/**
 * Decodes one line (without its newline). The common shape — written by us or by dockerd, no
 * attrs, no escape but the final \n — is sliced out without JSON.parse.
 */
export function decodeJsonEntry(line: Buffer): LogEntry | undefined {
  fast: if (line.length > 40 && line.subarray(0, 8).equals(logKey) && line[line.length - 1] === 0x7d && line[line.length - 2] === 0x22) {
    // find the end of the "log" string: the first quote not escaped
    let q = 8;
    let escapes = 0;
    let lastEscape = -1;
    for (;;) {
      q = indexOfEither(line, q);
      if (q < 0) break fast;
      if (line[q] === 0x22) break;
      escapes++;
      lastEscape = q;
      q += 2;
    }
    let stream: LogStream;
    if (line.subarray(q, q + streamStdout.length).equals(streamStdout)) stream = 'stdout';
    else if (line.subarray(q, q + streamStderr.length).equals(streamStderr)) stream = 'stderr';
    else break fast;
    const t = q + streamStdout.length;
    if (!line.subarray(t, t + timeKey.length).equals(timeKey)) break fast;
    const time = parseRfc3339(line.toString('latin1', t + timeKey.length, line.length - 2));
    if (!time) break fast;
    let data: Buffer;
    if (escapes === 0) data = Buffer.from(line.subarray(8, q));
    else if (escapes === 1 && lastEscape === q - 2 && line[q - 1] === backslashN) {
      data = Buffer.allocUnsafe(q - 2 - 8 + 1);
      line.copy(data, 0, 8, q - 2);
      data[data.length - 1] = 0x0a;
    } else data = Buffer.from(JSON.parse(line.toString('utf8', 7, q + 1)) as string);
    return { stream, time, data };
  }
  return decodeSlow(line);
}

/** The index of the next quote or backslash at or after `from`, or -1. */
function indexOfEither(b: Buffer, from: number): number {
  const q = b.indexOf(0x22, from);
  const s = b.indexOf(0x5c, from);
  if (s < 0 || (q >= 0 && q < s)) return q;
  return s;
}

function decodeSlow(line: Buffer): LogEntry | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as { log?: unknown; stream?: unknown; time?: unknown; attrs?: unknown };
  const time = typeof o.time === 'string' ? parseRfc3339(o.time) : undefined;
  if (!time) return undefined;
  const entry: LogEntry = {
    stream: o.stream === 'stderr' ? 'stderr' : 'stdout',
    time,
    data: Buffer.from(typeof o.log === 'string' ? o.log : ''),
  };
  if (o.attrs && typeof o.attrs === 'object') {
    entry.attrs = Object.entries(o.attrs as Record<string, unknown>).map(([k, v]) => [k, String(v)]);
  }
  return entry;
}
