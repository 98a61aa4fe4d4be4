// JSON string encoding byte for byte as dockerd's json-file writes it (jsonlog's
// ffjsonWriteJSONBytesAsString): `\"` `\\` `\n` `\r` short escapes, every other control byte and
// < > & as \u00XX, U+2028/U+2029 escaped, and each byte that is not part of valid UTF-8 (by Go's
// utf8.DecodeRune rules) replaced by \ufffd. Valid UTF-8, a literal U+FFFD included, is copied.
import type { ByteWriter } from './bytes.ts';

const hex = '0123456789abcdef';
/** 1: an ASCII byte copied as is. */
const plain = new Uint8Array(256);
for (let b = 0x20; b < 0x80; b++) plain[b] = 1;
for (const c of '"\\<>&') plain[c.charCodeAt(0)] = 0;

/** The length of a valid UTF-8 sequence starting at `i`, or 0 when the byte there is not one. */
function utf8Length(s: Uint8Array, i: number, end: number): number {
  const b = s[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && s[i + k] >= lo && s[i + k] <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * Appends `s[start, end)` as a quoted JSON string. `marshal` gives encoding/json's Marshal
 * instead (dockerd writes "attrs" with it): the same but for a tab, which it writes as `\t`.
 */
export function writeJsonString(w: ByteWriter, s: Uint8Array, start = 0, end = s.length, marshal = false): void {
  // each input byte becomes at most six output bytes (\u00XX, \ufffd; U+2028's three become six)
  w.ensure((end - start) * 6 + 2);
  const out = w.buf;
  let o = w.length;
  out[o++] = 0x22;
  let i = start;
  // a run of plain ASCII is copied natively at once
  while (i < end && plain[s[i]] === 1) i++;
  if (i - start >= 32) {
    out.set(s.subarray(start, i), o);
    o += i - start;
  } else for (let k = start; k < i; k++) out[o++] = s[k];
  while (i < end) {
    const b = s[i];
    if (plain[b] === 1) {
      out[o++] = b;
      i++;
      continue;
    }
    if (b < 0x80) {
      out[o++] = 0x5c;
      if (b === 0x22 || b === 0x5c) out[o++] = b;
      else if (b === 0x0a) out[o++] = 0x6e;
      else if (b === 0x0d) out[o++] = 0x72;
      else if (b === 0x09 && marshal) out[o++] = 0x74;
      else {
        out[o++] = 0x75;
        out[o++] = 0x30;
        out[o++] = 0x30;
        out[o++] = hex.charCodeAt(b >> 4);
        out[o++] = hex.charCodeAt(b & 0xf);
      }
      i++;
      continue;
    }
    const n = utf8Length(s, i, end);
    if (n === 0) {
      o += out.write('\\ufffd', o, 'latin1');
      i++;
    } else if (n === 3 && b === 0xe2 && s[i + 1] === 0x80 && (s[i + 2] === 0xa8 || s[i + 2] === 0xa9)) {
      o += out.write(s[i + 2] === 0xa8 ? '\\u2028' : '\\u2029', o, 'latin1');
      i += 3;
    } else {
      for (let k = 0; k < n; k++) out[o++] = s[i + k];
      i += n;
    }
  }
  out[o++] = 0x22;
  w.length = o;
}
