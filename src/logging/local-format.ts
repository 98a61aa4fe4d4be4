// dockerd's `local` log format: each entry is a protobuf LogEntry (api/types/plugins/logdriver/
// entry.proto) framed by its size, big-endian, before and after — the trailing size lets a reader
// walk the file backwards from its end for --tail.
//   message LogEntry { string source = 1; int64 time_nano = 2; bytes line = 3; bool partial = 4;
//                      PartialLogEntryMetadata partial_log_metadata = 5; }
//   message PartialLogEntryMetadata { bool last = 1; string id = 2; int32 ordinal = 3; }
// Fields are written in number order and left out when zero, as gogoproto's marshaller does.
import type { ByteWriter } from './bytes.ts';
import type { LogEntry, LogMessage } from './message.ts';
import { timeFromNs, timeToNs } from './time.ts';

function varintLength(n: bigint): number {
  let len = 1;
  while (n >= 0x80n) {
    n >>= 7n;
    len++;
  }
  return len;
}

function writeVarint(w: ByteWriter, n: number | bigint): void {
  if (typeof n === 'number' && n < 0x80) {
    w.byte(n);
    return;
  }
  let v = BigInt(n);
  if (v < 0n) v = BigInt.asUintN(64, v);
  while (v >= 0x80n) {
    w.byte(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  w.byte(Number(v));
}

function lengthOfLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Appends one framed entry. */
export function encodeLocalEntry(w: ByteWriter, msg: LogMessage): void {
  const source = Buffer.from(msg.source);
  const ns = timeToNs(msg.time);
  let meta: Buffer | undefined;
  if (msg.partial) {
    const id = Buffer.from(msg.partial.id);
    const parts: number[] = [];
    if (msg.partial.last) parts.push(0x08, 0x01);
    if (id.length) parts.push(0x12, ...varintBytes(id.length), ...id);
    if (msg.partial.ordinal) parts.push(0x18, ...varintBytes(msg.partial.ordinal));
    meta = Buffer.from(parts);
  }
  let size = 0;
  if (source.length) size += 1 + lengthOfLength(source.length) + source.length;
  if (ns !== 0n) size += 1 + varintLength(ns < 0n ? BigInt.asUintN(64, ns) : ns);
  if (msg.line.length) size += 1 + lengthOfLength(msg.line.length) + msg.line.length;
  if (msg.partial) size += 2 + 1 + lengthOfLength(meta!.length) + meta!.length;
  w.uint32be(size);
  if (source.length) {
    w.byte(0x0a);
    writeVarint(w, source.length);
    w.bytes(source);
  }
  if (ns !== 0n) {
    w.byte(0x10);
    writeVarint(w, ns);
  }
  if (msg.line.length) {
    w.byte(0x1a);
    writeVarint(w, msg.line.length);
    w.bytes(msg.line);
  }
  if (msg.partial) {
    w.byte(0x20);
    w.byte(0x01);
    w.byte(0x2a);
    writeVarint(w, meta!.length);
    w.bytes(meta!);
  }
  w.uint32be(size);
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

class ProtoReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }

  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.end) throw new Error('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.bytes();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/** A decoded entry with what `logs` needs: the newline of a whole line is added back. */
export function decodeLocalEntry(buf: Buffer, start: number, end: number): LogEntry {
  const r = new ProtoReader(buf, start, end);
  let source = '';
  let ns = 0n;
  let line: Buffer = Buffer.alloc(0);
  let partial = false;
  let last = false;
  while (r.pos < end) {
    const key = Number(r.varint());
    const field = key >> 3;
    const wire = key & 7;
    if (field === 1 && wire === 2) source = r.bytes().toString();
    else if (field === 2 && wire === 0) ns = BigInt.asIntN(64, r.varint());
    else if (field === 3 && wire === 2) line = r.bytes();
    else if (field === 4 && wire === 0) partial = r.varint() !== 0n;
    else if (field === 5 && wire === 2) {
      const m = r.bytes();
      const mr = new ProtoReader(m, 0, m.length);
      while (mr.pos < m.length) {
        const k = Number(mr.varint());
        if (k >> 3 === 1 && (k & 7) === 0) last = mr.varint() !== 0n;
        else mr.skip(k & 7);
      }
    } else r.skip(wire);
  }
  // dockerd 20.10's reader forgets the newline of a last piece; later ones (and this) add it
  const whole = !partial || last;
  return {
    stream: source === 'stderr' ? 'stderr' : 'stdout',
    time: timeFromNs(ns),
    data: whole ? Buffer.concat([line, Buffer.from('\n')]) : Buffer.from(line),
  };
}
