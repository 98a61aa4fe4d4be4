// Tar headers: the 512-byte v7/ustar/GNU block and PAX extended records, decoded and encoded
// binary-safe. PAX values stay bytes until a field is known to be text, because
// SCHILY.xattr.security.capability and friends are raw binary.
import { InvalidArgument } from '../errors/index.ts';

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'char' | 'block' | 'fifo';

export interface TarHeader {
  /** As stored: relative or absolute, directories usually with a trailing "/". */
  name: string;
  /** Symlink target or hardlink target; '' for other types. */
  linkname: string;
  type: EntryType;
  /** Permission bits plus setuid, setgid and sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Bytes of data; 0 for everything but regular files. */
  size: number;
  /** Millisecond precision when a PAX mtime carried a fraction. */
  mtime: Date;
  atime?: Date;
  devmajor: number;
  devminor: number;
  /** From SCHILY.xattr.<name> (raw bytes) and LIBARCHIVE.xattr.<name> (base64) records. */
  xattrs: Map<string, Buffer>;
  /** PAX records not mapped to a field above (comment, ctime, charset…), decoded as UTF-8. */
  pax: Record<string, string>;
}

/** What a writer needs: a name and a type; everything else has a default. */
export type TarHeaderInit = Pick<TarHeader, 'name' | 'type'> & Partial<Omit<TarHeader, 'name' | 'type'>>;

export const BLOCK = 512;

/** A stream that is not a valid tar archive (or is cut short). */
export class TarFormatError extends InvalidArgument {}

export const invalidHeader = (): TarFormatError => new TarFormatError('archive/tar: invalid tar header');
export const unexpectedEof = (): TarFormatError => new TarFormatError('unexpected EOF');

const typeByFlag: Record<string, EntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'link',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
  D: 'directory', // GNU dumpdir: a directory whose data (a listing) is skipped
};

const flagByType: Record<EntryType, string> = { file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6' };

export function entryType(flag: string): EntryType | undefined {
  return typeByFlag[flag];
}

export function defaultMode(type: EntryType): number {
  return type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644;
}

/** Fills a writer's partial header with defaults (root-owned, epoch mtime, conventional modes). */
export function completeHeader(init: TarHeaderInit): TarHeader {
  return {
    name: init.name,
    linkname: init.linkname ?? '',
    type: init.type,
    mode: init.mode ?? defaultMode(init.type),
    uid: init.uid ?? 0,
    gid: init.gid ?? 0,
    uname: init.uname ?? '',
    gname: init.gname ?? '',
    size: init.type === 'file' ? (init.size ?? 0) : 0,
    mtime: init.mtime ?? new Date(0),
    ...(init.atime ? { atime: init.atime } : {}),
    devmajor: init.devmajor ?? 0,
    devminor: init.devminor ?? 0,
    xattrs: init.xattrs ?? new Map(),
    pax: init.pax ?? {},
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Where a field lies in the 512-byte block. */
interface Field {
  at: number;
  len: number;
}

const fields = {
  name: { at: 0, len: 100 },
  mode: { at: 100, len: 8 },
  uid: { at: 108, len: 8 },
  gid: { at: 116, len: 8 },
  size: { at: 124, len: 12 },
  mtime: { at: 136, len: 12 },
  checksum: { at: 148, len: 8 },
  linkname: { at: 157, len: 100 },
  uname: { at: 265, len: 32 },
  gname: { at: 297, len: 32 },
  devmajor: { at: 329, len: 8 },
  devminor: { at: 337, len: 8 },
  prefix: { at: 345, len: 155 },
  starPrefix: { at: 345, len: 131 },
} satisfies Record<string, Field>;

function cstring(buf: Buffer, f: Field): string {
  const end = f.at + f.len;
  const nul = buf.indexOf(0, f.at);
  return buf.toString('utf8', f.at, nul >= 0 && nul < end ? nul : end);
}

/** A numeric field: octal text (space/NUL padded), or GNU base-256 when the top bit is set. */
function parseNumber(buf: Buffer, f: Field): number {
  const start = f.at;
  const end = f.at + f.len;
  if (buf[start] & 0x80) {
    // base-256, two's complement when the second-highest bit is set too
    const negative = (buf[start] & 0x40) !== 0;
    let v = 0n;
    for (let i = start; i < end; i++) {
      let byte = i === start ? buf[i] & 0x7f : buf[i];
      if (negative) byte ^= i === start ? 0x7f : 0xff;
      v = (v << 8n) | BigInt(byte);
    }
    if (negative) v = -(v + 1n);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw invalidHeader();
    return Number(v);
  }
  let s = start;
  let e = end;
  while (s < e && (buf[s] === 0x20 || buf[s] === 0)) s++;
  while (e > s && (buf[e - 1] === 0x20 || buf[e - 1] === 0)) e--;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 7) throw invalidHeader();
    v = v * 8 + d;
  }
  if (!Number.isSafeInteger(v)) throw invalidHeader();
  return v;
}

function checksums(block: Buffer): { unsigned: number; signed: number } {
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

export type HeaderFormat = 'v7' | 'ustar' | 'gnu' | 'star';

/** One header block as stored, before PAX records or GNU long names are applied. */
export interface RawHeader {
  format: HeaderFormat;
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

/** Decodes one header block; a bad checksum (not a tar, or corrupt) is "invalid tar header". */
export function decodeBlock(block: Buffer): RawHeader {
  const stored = parseNumber(block, fields.checksum);
  const sum = checksums(block);
  if (stored !== sum.unsigned && stored !== sum.signed) throw invalidHeader();
  const magic = block.toString('latin1', 257, 265);
  let format: HeaderFormat = 'v7';
  if (magic === 'ustar\x0000') format = block.toString('latin1', 508, 512) === 'tar\0' ? 'star' : 'ustar';
  else if (magic === 'ustar  \0') format = 'gnu';
  const flag = String.fromCharCode(block[156]);
  let name = cstring(block, fields.name);
  if (format === 'ustar' || format === 'star') {
    const prefix = cstring(block, format === 'star' ? fields.starPrefix : fields.prefix);
    if (prefix) name = `${prefix}/${name}`;
  }
  const extended = format !== 'v7';
  const device = flag === '3' || flag === '4';
  return {
    format,
    flag,
    name,
    linkname: cstring(block, fields.linkname),
    mode: parseNumber(block, fields.mode),
    uid: parseNumber(block, fields.uid),
    gid: parseNumber(block, fields.gid),
    size: parseNumber(block, fields.size),
    mtime: parseNumber(block, fields.mtime),
    uname: extended ? cstring(block, fields.uname) : '',
    gname: extended ? cstring(block, fields.gname) : '',
    // only parsed where meaningful, as Go does: other tools leave junk in these fields
    devmajor: extended && device ? parseNumber(block, fields.devmajor) : 0,
    devminor: extended && device ? parseNumber(block, fields.devminor) : 0,
  };
}

/** Parses PAX records ("<len> <key>=<value>\n"); values stay bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the record block with NULs
    const sp = data.indexOf(0x20, pos);
    if (sp < 0 || sp - pos > 20) throw new TarFormatError('archive/tar: invalid PAX record');
    const lenText = data.toString('latin1', pos, sp);
    const len = /^[0-9]+$/.test(lenText) ? Number(lenText) : NaN;
    if (!Number.isSafeInteger(len) || len <= sp - pos + 1 || pos + len > data.length) {
      throw new TarFormatError('archive/tar: invalid PAX record');
    }
    const end = pos + len;
    if (data[end - 1] !== 0x0a) throw new TarFormatError('archive/tar: invalid PAX record');
    const eq = data.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= end - 1 || eq === sp + 1) throw new TarFormatError('archive/tar: invalid PAX record');
    out.set(data.toString('utf8', sp + 1, eq), Buffer.from(data.subarray(eq + 1, end - 1)));
    pos = end;
  }
  return out;
}

/** A PAX time ("1700000000.123456789", possibly negative) at millisecond precision. */
export function parsePaxTime(value: string): Date {
  const m = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(value);
  if (!m) throw new TarFormatError(`archive/tar: invalid PAX time ${JSON.stringify(value)}`);
  const ms = Number(m[2]) * 1000 + Number(((m[3] ?? '') + '000').slice(0, 3));
  return new Date(m[1] ? -ms : ms);
}

// ---------------------------------------------------------------------------------------------
// Encoding

export function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  // the length prefix counts itself: adding its digits may add one more digit
  const digits = String(body.length).length;
  let len = body.length + digits;
  if (String(len).length > digits) len++;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);
const toAscii = (s: string): string => s.replace(/[^\x00-\x7f]/g, '');

function writeString(block: Buffer, f: Field & { value: string }): void {
  block.write(f.value, f.at, f.len, 'utf8');
}

const fitsOctal = (n: number, len: number): boolean => n >= 0 && n <= 8 ** (len - 1) - 1;

/** Octal with leading zeros and a NUL, as Go writes it; base-256 where octal cannot hold it. */
function writeNumber(block: Buffer, f: Field & { value: number }): void {
  const { at: start, len, value: n } = f;
  if (fitsOctal(n, len)) {
    block.write(n.toString(8).padStart(len - 1, '0') + '\0', start, len, 'latin1');
    return;
  }
  let v = BigInt(n);
  for (let i = start + len - 1; i > start; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[start] = 0x80;
}

interface BlockFields {
  name: string;
  prefix: string;
  flag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

function ustarBlock(f: BlockFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, { ...fields.name, value: f.name });
  writeNumber(b, { ...fields.mode, value: f.mode });
  writeNumber(b, { ...fields.uid, value: f.uid });
  writeNumber(b, { ...fields.gid, value: f.gid });
  writeNumber(b, { ...fields.size, value: f.size });
  writeNumber(b, { ...fields.mtime, value: f.mtime });
  b.write(f.flag, 156, 1, 'latin1');
  writeString(b, { ...fields.linkname, value: f.linkname });
  b.write('ustar\x0000', 257, 8, 'latin1');
  writeString(b, { ...fields.uname, value: f.uname });
  writeString(b, { ...fields.gname, value: f.gname });
  writeNumber(b, { ...fields.devmajor, value: f.devmajor });
  writeNumber(b, { ...fields.devminor, value: f.devminor });
  writeString(b, { ...fields.prefix, value: f.prefix });
  const sum = checksums(b).unsigned;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/** Go's USTAR split: the longest prefix (≤155 bytes) ending at a slash, leaving a name of ≤100. */
function splitUstarPath(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: '', name };
  let limit = Math.min(name.length, 156);
  if (limit === name.length && name.endsWith('/')) limit--;
  const i = name.lastIndexOf('/', limit - 1);
  if (i <= 0 || i > 155 || name.length - i - 1 > 100 || name.length - i - 1 === 0) return undefined;
  return { prefix: name.slice(0, i), name: name.slice(i + 1) };
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Encodes a header as a ustar block, preceded by a PAX extended header (its block and records)
 * when something does not fit ustar: long or non-ASCII names, links, user or group names, sizes
 * or ids beyond the octal fields, xattrs, or extra PAX records. Times are whole seconds, as
 * docker writes them, so equal trees give equal archives.
 */
type PaxList = Array<[string, Buffer]>;

/** A text field's ustar value; a PAX record too when it does not fit. */
function textField(pax: PaxList, f: { key: string; value: string; limit: number }): string {
  const { key, value, limit } = f;
  if (value.length <= limit && isAscii(value)) return value;
  pax.push([key, Buffer.from(value, 'utf8')]);
  return toAscii(value).slice(0, limit);
}

/** A numeric field's ustar value; 0 and a PAX record when octal cannot hold it. */
function numericField(pax: PaxList, f: { key: string; value: number; len: number }): number {
  const { key, value, len } = f;
  if (fitsOctal(value, len)) return value;
  pax.push([key, Buffer.from(String(value))]);
  return 0;
}

export function encodeHeader(h: TarHeader): Buffer {
  const pax: PaxList = [];
  let split = isAscii(h.name) ? splitUstarPath(h.name) : undefined;
  if (!split) {
    pax.push(['path', Buffer.from(h.name, 'utf8')]);
    split = { prefix: '', name: toAscii(h.name).slice(0, 100) };
  }
  const size = h.type === 'file' ? h.size : 0;
  const fields: BlockFields = {
    name: split.name,
    prefix: split.prefix,
    flag: flagByType[h.type],
    mode: h.mode & 0o7777,
    uid: numericField(pax, { key: 'uid', value: h.uid, len: 8 }),
    gid: numericField(pax, { key: 'gid', value: h.gid, len: 8 }),
    size: numericField(pax, { key: 'size', value: size, len: 12 }),
    mtime: numericField(pax, { key: 'mtime', value: Math.floor(h.mtime.getTime() / 1000), len: 12 }),
    linkname: textField(pax, { key: 'linkpath', value: h.linkname, limit: 100 }),
    uname: textField(pax, { key: 'uname', value: h.uname, limit: 32 }),
    gname: textField(pax, { key: 'gname', value: h.gname, limit: 32 }),
    devmajor: h.devmajor,
    devminor: h.devminor,
  };
  for (const [k, v] of h.xattrs) pax.push([`SCHILY.xattr.${k}`, v]);
  for (const [k, v] of Object.entries(h.pax)) pax.push([k, Buffer.from(v, 'utf8')]);
  const main = ustarBlock(fields);
  if (pax.length === 0) return main;
  const records = Buffer.concat(pax.sort(([a], [b]) => byteOrder(a, b)).map(([k, v]) => paxRecord(k, v)));
  const trimmed = h.name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const paxName = toAscii(`${trimmed.slice(0, slash + 1)}PaxHeaders.0/${trimmed.slice(slash + 1)}`).slice(0, 100).replace(/\/+$/, '');
  const head = ustarBlock({ name: paxName, prefix: '', flag: 'x', mode: 0, uid: 0, gid: 0, size: records.length, mtime: 0, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0 });
  const padding = Buffer.alloc((BLOCK - (records.length % BLOCK)) % BLOCK);
  return Buffer.concat([head, records, padding, main]);
}
