// Tar headers: the 512-byte ustar/GNU block and PAX extended records, decoded and encoded
// binary-safe (PAX values such as SCHILY.xattr.security.capability are raw bytes).
import { InvalidArgument } from '../errors/index.ts';

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  name: string;
  type: EntryType;
  /** Permission bits plus setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  atime?: Date;
  xattrs?: Map<string, Buffer>;
  /** PAX records not mapped to a field above. */
  pax?: Record<string, string>;
}

export const BLOCK = 512;

const typeFlags: Record<string, EntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
  D: 'directory',
};

const flagOf: Record<EntryType, string> = { file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' };

export class TarFormatError extends InvalidArgument {}

function cstring(buf: Buffer, start: number, end: number): string {
  let e = start;
  while (e < end && buf[e] !== 0) e++;
  return buf.toString('utf8', start, e);
}

/** A numeric field: octal text, or base-256 (GNU) when the top bit of the first byte is set. */
function parseNumber(buf: Buffer, start: number, end: number): number {
  if (buf[start] & 0x80) {
    let v = 0n;
    const negative = (buf[start] & 0x40) !== 0;
    for (let i = start; i < end; i++) {
      const byte = i === start ? buf[i] & 0x7f : buf[i];
      v = (v << 8n) | BigInt(negative ? byte ^ 0xff : byte);
    }
    return Number(negative ? -(v + 1n) : v);
  }
  const s = buf.toString('latin1', start, end).replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError('archive/tar: invalid tar header');
  return parseInt(s, 8);
}

function checksum(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return { unsigned, signed };
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

export interface RawHeader {
  flag: string;
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

/** Decodes one header block; throws on a bad checksum (not a tar, or corrupt). */
export function decodeBlock(block: Buffer): RawHeader {
  const stored = parseNumber(block, 148, 156);
  const sum = checksum(block);
  if (stored !== sum.unsigned && stored !== sum.signed) throw new TarFormatError('archive/tar: invalid tar header');
  const magic = block.toString('latin1', 257, 263);
  let name = cstring(block, 0, 100);
  if (magic === 'ustar\0') {
    const prefix = cstring(block, 345, 500);
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = String.fromCharCode(block[156]);
  return {
    flag,
    name,
    linkname: cstring(block, 157, 257),
    mode: parseNumber(block, 100, 108),
    uid: parseNumber(block, 108, 116),
    gid: parseNumber(block, 116, 124),
    size: parseNumber(block, 124, 136),
    mtime: parseNumber(block, 136, 148),
    uname: cstring(block, 265, 297),
    gname: cstring(block, 297, 329),
    devmajor: magic.startsWith('ustar') ? parseNumber(block, 329, 337) : 0,
    devminor: magic.startsWith('ustar') ? parseNumber(block, 337, 345) : 0,
  };
}

export function entryType(flag: string): EntryType | undefined {
  return typeFlags[flag];
}

/** Parses PAX records ("<len> <key>=<value>\n"), values kept as bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) throw new TarFormatError('archive/tar: invalid PAX record');
    const len = Number(data.toString('latin1', pos, sp));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw new TarFormatError('archive/tar: invalid PAX record');
    const rec = data.subarray(sp + 1, pos + len);
    if (rec[rec.length - 1] !== 0x0a) throw new TarFormatError('archive/tar: invalid PAX record');
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new TarFormatError('archive/tar: invalid PAX record');
    out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1, rec.length - 1)));
    pos += len;
  }
  return out;
}

function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function writeString(block: Buffer, s: string, start: number, len: number): void {
  Buffer.from(s, 'utf8').copy(block, start, 0, len);
}

function writeOctal(block: Buffer, n: number, start: number, len: number): void {
  // len-1 digits and a NUL, as Go writes them
  block.write(n.toString(8).padStart(len - 1, '0') + '\0', start, len, 'latin1');
}

const maxOctal = (len: number) => 8 ** (len - 1) - 1;
const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

function splitUstarPath(name: string): { prefix: string; name: string } | undefined {
  const bytes = Buffer.byteLength(name);
  if (bytes <= 100) return { prefix: '', name };
  if (bytes > 256) return undefined;
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest.length > 0) return { prefix, name: rest };
  }
  return undefined;
}

function block(h: { name: string; prefix: string; flag: string; mode: number; uid: number; gid: number; size: number; mtime: number; linkname: string; uname: string; gname: string; devmajor: number; devminor: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, h.name, 0, 100);
  writeOctal(b, h.mode, 100, 8);
  writeOctal(b, h.uid, 108, 8);
  writeOctal(b, h.gid, 116, 8);
  writeOctal(b, h.size, 124, 12);
  writeOctal(b, h.mtime, 136, 12);
  b.write(h.flag, 156, 1, 'latin1');
  writeString(b, h.linkname, 157, 100);
  b.write('ustar\x0000', 257, 8, 'latin1');
  writeString(b, h.uname, 265, 32);
  writeString(b, h.gname, 297, 32);
  writeOctal(b, h.devmajor, 329, 8);
  writeOctal(b, h.devminor, 337, 8);
  writeString(b, h.prefix, 345, 155);
  b.fill(0x20, 148, 156);
  const sum = checksum(b).unsigned;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/**
 * Encodes a header as ustar blocks, preceded by a PAX extended header when a field does not fit
 * ustar (long or non-ASCII names, big sizes or ids) or the entry has xattrs.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const pax: Array<[string, Buffer]> = [];
  let split = isAscii(h.name) ? splitUstarPath(h.name) : undefined;
  if (!split) {
    pax.push(['path', Buffer.from(h.name)]);
    split = { prefix: '', name: h.name.slice(0, 100) };
  }
  let linkname = h.linkname ?? '';
  if (Buffer.byteLength(linkname) > 100 || !isAscii(linkname)) {
    pax.push(['linkpath', Buffer.from(linkname)]);
    linkname = linkname.slice(0, 100);
  }
  const size = h.type === 'file' ? h.size : 0;
  const fit = (key: string, v: number, len: number) => {
    if (v <= maxOctal(len) && v >= 0) return v;
    pax.push([key, Buffer.from(String(v))]);
    return 0;
  };
  const mtimeSec = Math.floor(h.mtime.getTime() / 1000);
  const fields = {
    name: split.name,
    prefix: split.prefix,
    flag: flagOf[h.type],
    mode: h.mode & 0o7777,
    uid: fit('uid', h.uid, 8),
    gid: fit('gid', h.gid, 8),
    size: fit('size', size, 12),
    mtime: fit('mtime', mtimeSec, 12),
    linkname,
    uname: h.uname ?? '',
    gname: h.gname ?? '',
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
  };
  for (const [k, v] of h.xattrs ?? []) pax.push([`SCHILY.xattr.${k}`, v]);
  for (const [k, v] of Object.entries(h.pax ?? {})) pax.push([k, Buffer.from(v)]);
  const main = block(fields);
  if (pax.length === 0) return main;
  const records = Buffer.concat(pax.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => paxRecord(k, v)));
  const base = h.name.replace(/\/+$/, '').split('/').pop() ?? '';
  const dir = h.name.replace(/\/+$/, '').split('/').slice(0, -1).join('/');
  const paxName = `${dir ? dir + '/' : ''}PaxHeaders.0/${base}`.slice(0, 100);
  const paxBlock = block({ ...fields, name: isAscii(paxName) ? paxName : 'PaxHeaders.0/entry', prefix: '', flag: 'x', size: records.length, linkname: '', mode: 0o644 });
  const padding = Buffer.alloc((BLOCK - (records.length % BLOCK)) % BLOCK);
  return Buffer.concat([paxBlock, records, padding, main]);
}
