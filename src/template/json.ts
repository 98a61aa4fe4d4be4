// Go's encoding/json encoder as docker's `json` template function uses it (HTML escaping off, no
// trailing newline). Objects keep their own key order: data that came from the Engine API is
// already in Go's order (struct fields as declared, map keys sorted), so re-encoding it gives
// what docker prints. A JavaScript Map sorts its keys as a Go map does; an object with toJSON()
// is a json.Marshaler.
import { formatFloat } from '../lib/index.ts';
import { Float64, FuncValue, MISSING, compareKeys } from './values.ts';

const hex = '0123456789abcdef';

/** A Go JSON string: control characters escaped, U+2028/U+2029 escaped, no HTML escaping. */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      switch (c) {
        case 0x22:
          out += '\\"';
          break;
        case 0x5c:
          out += '\\\\';
          break;
        case 0x08:
          out += '\\b';
          break;
        case 0x0c:
          out += '\\f';
          break;
        case 0x0a:
          out += '\\n';
          break;
        case 0x0d:
          out += '\\r';
          break;
        case 0x09:
          out += '\\t';
          break;
        default:
          out += '\\u00' + hex[c >> 4] + hex[c & 0xf];
      }
    } else if (c === 0x2028 || c === 0x2029) {
      out += '\\u202' + hex[c & 0xf];
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s[i] + s[i + 1];
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate is not valid UTF-8
    } else {
      out += s[i];
    }
  }
  return out + '"';
}

function jsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${formatFloat(n, 'g', -1)}`);
  if (Object.is(n, -0)) return '-0';
  // JavaScript's shortest form switches to exponents at the same bounds as Go's (1e-6, 1e21).
  return String(n);
}

function encode(v: unknown, seen: Set<object>): string {
  if (v === MISSING || v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return jsonNumber(v);
    case 'bigint':
      return v.toString();
    case 'string':
      return jsonString(v);
    case 'function':
      throw new Error('json: unsupported type: func()');
    case 'object':
      break;
    default:
      return 'null';
  }
  if (v instanceof Float64) return jsonNumber(v.value);
  if (v instanceof FuncValue) throw new Error(`json: unsupported type: ${v.typeName}`);
  if (v instanceof Uint8Array) return jsonString(Buffer.from(v).toString('base64'));
  if (seen.has(v)) throw new Error('json: unsupported value: encountered a cycle');
  seen.add(v);
  try {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return encode(toJSON.call(v), seen);
    if (Array.isArray(v)) return '[' + v.map((x) => encode(x, seen)).join(',') + ']';
    let entries: Array<[unknown, unknown]>;
    if (v instanceof Map) entries = [...v.entries()].sort(([a], [b]) => compareKeys(a, b));
    else entries = Object.entries(v);
    const parts: string[] = [];
    for (const [k, x] of entries) {
      if (x === undefined || typeof x === 'function') continue;
      parts.push(jsonString(String(k)) + ':' + encode(x, seen));
    }
    return '{' + parts.join(',') + '}';
  } finally {
    seen.delete(v);
  }
}

/** Encodes a value as Go's json.Encoder with SetEscapeHTML(false) does, without the newline. */
export function goJson(v: unknown): string {
  return encode(v, new Set());
}
