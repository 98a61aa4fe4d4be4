// Log entry times as seconds and nanoseconds since the epoch. A log carries millions of entries:
// keeping the time as two numbers (not a BigInt, not a Date that drops the nanoseconds) and
// caching the date part of the text per second keeps formatting and parsing cheap.

export interface LogTime {
  sec: number;
  nsec: number;
}

export function compareTime(a: LogTime, b: LogTime): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

export function timeFromNs(ns: bigint): LogTime {
  let sec = ns / 1_000_000_000n;
  let nsec = ns - sec * 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

export function timeToNs(t: LogTime): bigint {
  return BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);
}

// The wall clock with nanoseconds: Date.now() at load, advanced by the monotonic clock.
const epochAtLoad = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowTime(): LogTime {
  return timeFromNs(epochAtLoad + process.hrtime.bigint());
}

let cachedSec = Number.NaN;
let cachedPrefix = '';

/** "2006-01-02T15:04:05" in UTC for a second since the epoch (the last one is remembered). */
function datePrefix(sec: number): string {
  if (sec !== cachedSec) {
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 19);
    cachedSec = sec;
  }
  return cachedPrefix;
}

/** Go's time.RFC3339Nano in UTC, as json-file writes "time": trailing zeros of the fraction dropped. */
export function rfc3339Nano(t: LogTime): string {
  if (t.nsec === 0) return `${datePrefix(t.sec)}Z`;
  let frac = String(t.nsec).padStart(9, '0');
  let end = 9;
  while (frac.charCodeAt(end - 1) === 48) end--;
  if (end < 9) frac = frac.slice(0, end);
  return `${datePrefix(t.sec)}.${frac}Z`;
}

/** docker's jsonmessage.RFC3339NanoFixed, as `logs --timestamps` prints: always nine digits. */
export function rfc3339NanoFixed(t: LogTime): string {
  return `${datePrefix(t.sec)}.${String(t.nsec).padStart(9, '0')}Z`;
}

let parsedPrefix = '';
let parsedSec = 0;

/**
 * Parses an RFC 3339 time with an optional fraction of up to nine digits and a `Z` or ±hh:mm
 * offset — json-file's "time" and conmon's k8s-file stamps. The seconds of the last date seen are
 * remembered, so a run of entries within one second costs one Date.parse.
 */
export function parseRfc3339(text: string): LogTime | undefined {
  if (text.length < 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(10) !== 84) return undefined;
  const prefix = text.slice(0, 19);
  let i = 19;
  let nsec = 0;
  if (text.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 9) return undefined;
    nsec = Number(text.slice(start, i)) * 10 ** (9 - digits);
  }
  const zone = text.slice(i);
  let offset = 0;
  if (zone !== 'Z' && zone !== '+00:00') {
    const m = /^([+-])(\d\d):(\d\d)$/.exec(zone);
    if (!m) return undefined;
    offset = (Number(m[2]) * 3600 + Number(m[3]) * 60) * (m[1] === '-' ? -1 : 1);
  }
  let sec: number;
  if (prefix === parsedPrefix) sec = parsedSec;
  else {
    const ms = Date.parse(`${prefix}Z`);
    if (Number.isNaN(ms)) return undefined;
    sec = ms / 1000;
    parsedPrefix = prefix;
    parsedSec = sec;
  }
  return { sec: sec - offset, nsec };
}
