// docker's go-units and the Go time helpers docker relies on: how docker prints durations and
// sizes, and how it reads sizes, Go durations and --since/--until timestamps. Error messages are
// Go's and docker's, because users see them verbatim.
//
// Units: durations in and out of Go APIs are nanoseconds as bigint (Go's int64 time.Duration,
// exact); humanDuration takes milliseconds because that is what JS clocks give. Timestamps are
// nanoseconds since the Unix epoch as bigint.
import { InvalidArgument } from '../errors/index.ts';
import { parseFloat, quote } from './strconv.ts';

// ---------------------------------------------------------------------------------------------
// Go string quoting

/** Go's strconv.Quote (and fmt's %q). */
export const goQuote = quote;

/** The time package's own quote(): every byte of a non-ASCII or control character as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) for (const b of Buffer.from(ch, 'utf8')) out += `\\x${hex2(b)}`;
    else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return out + '"';
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// Durations for humans

/**
 * go-units HumanDuration for a duration in milliseconds ("Up 5 minutes", "2 hours ago").
 * Hours are rounded, everything else truncated, exactly as go-units does.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  // go-units uses the truncated hour count here, not the rounded one.
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

// ---------------------------------------------------------------------------------------------
// Sizes for humans

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaleSize(size: number, base: number, units: readonly string[]): [number, string] {
  let i = 0;
  // Divide step by step as go-units does; one division by base**i can round differently.
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]];
}

/** go-units HumanSizeWithPrecision: decimal units, "4.26MB", "999B", "1e+03kB". docker's default precision is 3. */
export function humanSize(bytes: number, precision = 3): string {
  const [v, unit] = scaleSize(bytes, 1000, decimalUnits);
  return formatG(v, precision) + unit;
}

/** go-units BytesSize: binary units, four significant digits, "1.5MiB". */
export function bytesSize(bytes: number): string {
  const [v, unit] = scaleSize(bytes, 1024, binaryUnits);
  return formatG(v, 4) + unit;
}

/** The exact decimal expansion of a finite, non-negative double: digits without trailing zeros, and the decimal point position. */
function exactDecimal(x: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExp = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (biasedExp === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = biasedExp - 1075;
  }
  let digits: string;
  let point: number;
  if (exp >= 0) {
    digits = (mantissa << BigInt(exp)).toString();
    point = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-exp)).toString();
    point = digits.length + exp;
  }
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  return { digits, point: point - lead };
}

/** Go's fmt %.{precision}g: correctly rounded (ties to even on the exact binary value), trailing zeros dropped. */
function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? '-' : '';
  if (x === 0) return `${sign}0`;
  const prec = Math.max(precision, 1);
  let { digits, point } = exactDecimal(Math.abs(x));
  if (digits.length > prec) {
    const next = digits.charCodeAt(prec) - 48;
    const exactHalf = next === 5 && digits.length === prec + 1;
    const roundUp = next > 5 || (next === 5 && !exactHalf) || (exactHalf && (digits.charCodeAt(prec - 1) - 48) % 2 === 1);
    digits = digits.slice(0, prec);
    if (roundUp) {
      const bumped = (BigInt(digits) + 1n).toString();
      if (bumped.length > digits.length) point++;
      digits = bumped;
    }
    digits = digits.replace(/0+$/, '');
  }
  const exp = point - 1;
  if (exp < -4 || exp >= prec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

// ---------------------------------------------------------------------------------------------
// Sizes from humans

const decimalMultipliers: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const binaryMultipliers: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** go-units RAMInBytes: "512m" = 512 MiB; suffixes k, m, g, t, p with optional "b" or "ib", any case. */
export function parseRamInBytes(s: string): number {
  return parseSizeWith(s, binaryMultipliers);
}

/** go-units FromHumanSize: decimal multipliers, "1g" = 10^9 bytes. */
export function parseSize(s: string): number {
  return parseSizeWith(s, decimalMultipliers);
}

function parseSizeWith(sizeStr: string, multipliers: Record<string, number>): number {
  let num: string;
  let sfx: string;
  const space = sizeStr.indexOf(' ');
  if (space >= 0) {
    num = sizeStr.slice(0, space);
    sfx = sizeStr.slice(space + 1);
  } else {
    const sep = Math.max(...[...'0123456789.'].map((c) => sizeStr.lastIndexOf(c)));
    if (sep < 0) throw new InvalidArgument(`invalid size: '${sizeStr}'`);
    num = sizeStr.slice(0, sep + 1);
    sfx = sizeStr.slice(sep + 1);
  }
  let size = parseFloat(num);
  if (size < 0) throw new InvalidArgument(`invalid size: '${sizeStr}'`);
  if (sfx.length > 0) {
    const lower = sfx.toLowerCase();
    const badSuffix = () => new InvalidArgument(`invalid suffix: '${sfx.length > 3 ? sfx : lower}'`);
    if (sfx.length > 3) throw badSuffix();
    if (lower[0] === 'b') {
      if (lower.length > 1) throw badSuffix();
    } else {
      const mul = multipliers[lower[0]];
      if (mul === undefined) throw badSuffix();
      size *= mul;
      if ((lower.length === 2 && lower[1] !== 'b') || (lower.length === 3 && lower.slice(1) !== 'ib')) throw badSuffix();
    }
  }
  // Go's int64() truncates toward zero; "+ 0" turns -0 into 0.
  return Math.trunc(size) + 0;
}

// ---------------------------------------------------------------------------------------------
// Go durations

const unitNs: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 MICRO SIGN
  'μs': 1_000n, // U+03BC GREEK SMALL LETTER MU
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const two63 = 1n << 63n;

/** Go's time.ParseDuration ("1m30s", "-1.5h", "300ms", "1h2m3.5s"), in nanoseconds. */
export function parseGoDuration(s: string): bigint {
  const orig = s;
  const invalid = () => new InvalidArgument(`time: invalid duration ${timeQuote(orig)}`);
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) throw invalid();
    // Digits before the point; Go rejects integers past 2^63 here.
    let i = 0;
    let v = 0n;
    for (; i < s.length && s[i] >= '0' && s[i] <= '9'; i++) {
      if (v > two63 / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > two63) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // Digits after the point; Go silently drops the ones that would overflow.
    let post = false;
    let frac = 0n;
    let scale = 1;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && s[j] >= '0' && s[j] <= '9'; j++) {
        if (overflow) continue;
        if (frac > (two63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = frac * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > two63) {
          overflow = true;
          continue;
        }
        frac = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && s[u] !== '.' && !(s[u] >= '0' && s[u] <= '9')) u++;
    if (u === 0) throw new InvalidArgument(`time: missing unit in duration ${timeQuote(orig)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = unitNs[unitName];
    if (unit === undefined) throw new InvalidArgument(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(orig)}`);
    if (v > two63 / unit) throw invalid();
    v *= unit;
    if (frac > 0n) {
      // Go computes the fractional part in float64 and truncates it.
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
      if (v > two63) throw invalid();
    }
    total += v;
    if (total > two63) throw invalid();
  }
  if (neg) return -total;
  if (total > two63 - 1n) throw invalid();
  return total;
}

/** Go's time.Duration.String(): "1h0m0s", "1m30s", "1.5s", "300ms", "1µs", "0s". */
export function formatGoDuration(ns: bigint | number): string {
  const d = typeof ns === 'bigint' ? ns : BigInt(Math.trunc(ns));
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${fractional(u, 3)}µs`;
    else out = `${fractional(u, 6)}ms`;
  } else {
    const secs = fractional(u % 60_000_000_000n, 9);
    u /= 60_000_000_000n;
    const hours = u / 60n;
    const minutes = u % 60n;
    out = hours > 0n ? `${hours}h${minutes}m${secs}s` : u > 0n ? `${minutes}m${secs}s` : `${secs}s`;
  }
  return neg ? `-${out}` : out;
}

/** `v` divided by 10^digits, printed with the fraction's trailing zeros dropped. */
function fractional(v: bigint, digits: number): string {
  const div = 10n ** BigInt(digits);
  const frac = (v % div).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${v / div}${frac ? `.${frac}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Timestamps

/**
 * docker's timetypes.GetTimestamp, which the docker CLI applies to `logs --since/--until`,
 * `events --since/--until` and the `until` filter: a Go duration counted back from `now` (whole
 * seconds, as docker sends them), RFC 3339 with or without fraction and zone, a date, a date and
 * hour or hour:minute, or a unix time "seconds[.fraction]". Values without a zone are read in
 * `now`'s UTC offset (Go's FixedZone(reference.Zone())), which `options.utcOffsetSeconds`
 * overrides. Returns nanoseconds since the Unix epoch; errors carry Go's and docker's messages.
 */
export function parseTimestamp(value: string, now: Date, options: { utcOffsetSeconds?: number } = {}): bigint {
  const nowNs = BigInt(now.getTime()) * 1_000_000n;
  if (value !== '0') {
    let d: bigint | undefined;
    try {
      d = parseGoDuration(value);
    } catch {
      d = undefined;
    }
    if (d !== undefined) return floorDiv(nowNs - d, 1_000_000_000n) * 1_000_000_000n;
  }

  const inLocation = !/[zZ+]/.test(value) && value.split('-').length - 1 !== 3;
  let layout: string;
  if (value.includes('.')) {
    layout = inLocation ? '2006-01-02T15:04:05.999999999' : '2006-01-02T15:04:05.999999999Z07:00';
  } else if (value.includes('T')) {
    let colons = value.split(':').length - 1;
    // A numeric zone offset brings a colon of its own.
    if (!inLocation && !/[zZ]/.test(value) && colons > 0) colons--;
    const base = colons === 0 ? '2006-01-02T15' : colons === 1 ? '2006-01-02T15:04' : '2006-01-02T15:04:05';
    layout = inLocation ? base : `${base}Z07:00`;
  } else {
    layout = inLocation ? '2006-01-02' : '2006-01-02Z07:00';
  }

  const offset = inLocation ? (options.utcOffsetSeconds ?? -now.getTimezoneOffset() * 60) : 0;
  const parsed = parseGoTime(layout, value, offset);
  if (typeof parsed === 'bigint') return parsed;
  // docker: a "-" means an RFC 3339-like timestamp the parser rejected; report why.
  if (value.includes('-')) throw new InvalidArgument(parsed);
  const unix = splitUnixTimestamp(value);
  if (typeof unix === 'string') throw new InvalidArgument(`failed to parse value as time or duration: ${goQuote(value)}`);
  return unix;
}

/**
 * docker's timetypes.ParseTimestamps, what dockerd applies to `since`/`until` query parameters:
 * "seconds[.fraction]" only. Returns nanoseconds since the Unix epoch.
 */
export function parseUnixTimestamp(value: string): bigint {
  const unix = splitUnixTimestamp(value);
  if (typeof unix === 'string') throw new InvalidArgument(unix);
  return unix;
}

/** Nanoseconds, or Go's strconv error message. */
function splitUnixTimestamp(value: string): bigint | string {
  const dot = value.indexOf('.');
  const secs = parseGoInt10(dot < 0 ? value : value.slice(0, dot));
  if (typeof secs === 'string') return secs;
  if (dot < 0) return secs * 1_000_000_000n;
  const fracText = value.slice(dot + 1);
  const frac = parseGoInt10(fracText);
  if (typeof frac === 'string') return frac;
  // docker scales the fraction in float64, so more than 9 digits are truncated, not rounded.
  const nanos = BigInt(Math.trunc(Number(frac) * 10 ** (9 - fracText.length)));
  return secs * 1_000_000_000n + nanos;
}

/** strconv.ParseInt(s, 10, 64): the value, or Go's error message. */
function parseGoInt10(s: string): bigint | string {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n >= two63 || n < -two63) return `strconv.ParseInt: parsing ${goQuote(s)}: value out of range`;
  return n;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

// The layout elements GetTimestamp's layouts are made of, in Go's spelling.
type Std = '2006' | '01' | '02' | '15' | '04' | '05' | '.999999999' | 'Z07:00';
const stdElements: readonly Std[] = ['2006', '01', '02', '15', '04', '05', '.999999999', 'Z07:00'];

function splitLayout(layout: string): { prefix: string; std: Std | undefined }[] {
  const chunks: { prefix: string; std: Std | undefined }[] = [];
  let prefix = '';
  for (let i = 0; i < layout.length; ) {
    const std = stdElements.find((e) => layout.startsWith(e, i));
    if (std) {
      chunks.push({ prefix, std });
      prefix = '';
      i += std.length;
    } else prefix += layout[i++];
  }
  chunks.push({ prefix, std: undefined });
  return chunks;
}

function isDigitAt(s: string, i: number): boolean {
  return i < s.length && s[i] >= '0' && s[i] <= '9';
}

/** Go's getnum: one or two digits, exactly two when `fixed`. */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined;
  if (!isDigitAt(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 48, s.slice(1)];
  return [(s.charCodeAt(0) - 48) * 10 + s.charCodeAt(1) - 48, s.slice(2)];
}

/** Go's parseNanoseconds: a "." or "," and digits, at most nine of them counted. */
function parseNanos(value: string, nbytes: number): number {
  const n = Math.min(nbytes, 10);
  return Number(value.slice(1, n)) * 10 ** (10 - n);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Go's time.Parse / ParseInLocation for the layouts above: nanoseconds since the epoch, or Go's
 * error message. `defaultOffset` (seconds east of UTC) applies when the value names no zone.
 */
function parseGoTime(layout: string, value: string, defaultOffset: number): bigint | string {
  const whole = value;
  const cannot = (valueElem: string, layoutElem: string) =>
    `parsing time ${timeQuote(whole)} as ${timeQuote(layout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`;
  const outOfRange = (what: string) => `parsing time ${timeQuote(whole)}: ${what} out of range`;
  let year = 0;
  let month = -1;
  let day = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let zoneOffset: number | undefined;
  const chunks = splitLayout(layout);
  for (let c = 0; c < chunks.length; c++) {
    const { prefix, std } = chunks[c];
    for (const ch of prefix) {
      if (value === '' || value[0] !== ch) return cannot(value, prefix);
      value = value.slice(1);
    }
    if (std === undefined) {
      if (value !== '') return `parsing time ${timeQuote(whole)}: extra text: ${timeQuote(value)}`;
      break;
    }
    const hold = value;
    let ok = true;
    let range = '';
    switch (std) {
      case '2006': {
        if (!/^\d{4}/.test(value)) ok = false;
        else {
          year = Number(value.slice(0, 4));
          value = value.slice(4);
        }
        break;
      }
      case '01':
      case '02':
      case '15':
      case '04': {
        const got = getnum(value, std !== '15');
        if (!got) {
          ok = false;
          break;
        }
        value = got[1];
        if (std === '01') {
          month = got[0];
          if (month <= 0 || month > 12) range = 'month';
        } else if (std === '02') day = got[0];
        else if (std === '15') {
          hour = got[0];
          if (hour >= 24) range = 'hour';
        } else {
          minute = got[0];
          if (minute >= 60) range = 'minute';
        }
        break;
      }
      case '05': {
        const got = getnum(value, true);
        if (!got) {
          ok = false;
          break;
        }
        [second, value] = got;
        if (second >= 60) {
          range = 'second';
          break;
        }
        // A fraction the layout does not spell out is still accepted after the seconds.
        if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1) && chunks[c + 1]?.std !== '.999999999') {
          let n = 2;
          while (isDigitAt(value, n)) n++;
          nanos = parseNanos(value, n);
          value = value.slice(n);
        }
        break;
      }
      case '.999999999': {
        if (value.length < 2 || !(value[0] === '.' || value[0] === ',') || !isDigitAt(value, 1)) break;
        let n = 1;
        while (isDigitAt(value, n)) n++;
        nanos = parseNanos(value, n);
        value = value.slice(n);
        break;
      }
      case 'Z07:00': {
        if (value.length >= 1 && value[0] === 'Z') {
          value = value.slice(1);
          zoneOffset = 0;
          break;
        }
        if (value.length < 6 || value[3] !== ':') {
          ok = false;
          break;
        }
        const sign = value[0];
        const hh = getnum(value.slice(1, 3), true);
        const mm = hh && getnum(value.slice(4, 6), true);
        value = value.slice(6);
        const hr = hh ? hh[0] : 0;
        const mi = mm ? mm[0] : 0;
        if (hr > 24) range = 'time zone offset hour';
        if (mi > 60) range = 'time zone offset minute';
        if (!hh || !mm || (sign !== '+' && sign !== '-')) ok = false;
        zoneOffset = (sign === '-' ? -1 : 1) * (hr * 3600 + mi * 60);
        break;
      }
    }
    if (range) return outOfRange(range);
    if (!ok) return cannot(hold, std);
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) return outOfRange('day');
  const secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - (zoneOffset ?? defaultOffset);
  return BigInt(secs) * 1_000_000_000n + BigInt(nanos);
}

// ---------------------------------------------------------------------------------------------
// Formatting times

/** Go's zero time.Time as docker prints it for a container never started or finished. */
export const goZeroTime = '0001-01-01T00:00:00Z';

/**
 * Go's time.RFC3339Nano in UTC, as docker inspect prints times: "2024-01-01T10:00:00.123456789Z",
 * trailing zeros of the fraction dropped. Takes a Date, optionally with `nanos` (the nanosecond
 * within the second, replacing the Date's milliseconds), or nanoseconds since the epoch.
 */
export function formatRfc3339Nano(time: Date | bigint, nanos?: number): string {
  let epochSeconds: bigint;
  let nsOfSecond: number;
  if (typeof time === 'bigint') {
    epochSeconds = floorDiv(time, 1_000_000_000n);
    nsOfSecond = Number(time - epochSeconds * 1_000_000_000n);
  } else {
    const ms = time.getTime();
    if (Number.isNaN(ms)) throw new InvalidArgument('invalid time');
    epochSeconds = BigInt(Math.floor(ms / 1000));
    nsOfSecond = nanos ?? (ms - Math.floor(ms / 1000) * 1000) * 1_000_000;
    if (!Number.isInteger(nsOfSecond) || nsOfSecond < 0 || nsOfSecond > 999_999_999) throw new InvalidArgument(`invalid nanoseconds: ${nanos}`);
  }
  const days = Number(floorDiv(epochSeconds, 86400n));
  const secOfDay = Number(epochSeconds - BigInt(days) * 86400n);
  const [y, mo, d] = civilFromDays(days);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  const frac = nsOfSecond ? `.${String(nsOfSecond).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${year}-${pad(mo)}-${pad(d)}T${pad(Math.floor(secOfDay / 3600))}:${pad(Math.floor(secOfDay / 60) % 60)}:${pad(secOfDay % 60)}${frac}Z`;
}

/** The inverse of daysFromCivil. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}
