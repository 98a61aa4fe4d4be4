// Number and character literals in templates, parsed as Go's text/template parser does.
import { parseFloat, parseInt, parseUint, quote, unquoteChar } from '../lib/index.ts';

const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};
const tryUint = (s: string) => attempt(() => parseUint(s));
const tryInt = (s: string) => attempt(() => parseInt(s));
const tryFloat = (s: string) => attempt(() => parseFloat(s));

export interface NumberLiteral {
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  uint: bigint;
  float: number;
}

/** Go's parse.Tree.newNumber for number and character literals; throws with Go's message. */
export function parseNumberLiteral(text: string, kind: 'number' | 'char' | 'complex'): NumberLiteral {
  if (kind === 'complex') throw new Error(`complex constants are not supported: ${text}`);
  const isChar = kind === 'char';
  const n: NumberLiteral = { isInt: false, isUint: false, isFloat: false, int: 0n, uint: 0n, float: 0 };
  if (isChar) {
    const r = unquoteChar(text.slice(1), "'");
    if (r.tail !== "'") throw new Error(`malformed character constant: ${text}`);
    return { isInt: true, isUint: true, isFloat: true, int: BigInt(r.value), uint: BigInt(r.value), float: r.value };
  }
  // Imaginary and complex constants parse in Go; Berth has no complex values to give them.
  if (text.endsWith('i') && tryFloat(text.slice(0, -1)) !== undefined) throw new Error(`complex constants are not supported: ${text}`);
  const u = tryUint(text);
  if (u !== undefined) {
    n.isUint = true;
    n.uint = u;
  }
  const i = tryInt(text);
  if (i !== undefined) {
    n.isInt = true;
    n.int = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint = 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float = Number(n.int);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float = Number(n.uint);
  } else {
    const f = tryFloat(text);
    if (f !== undefined) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${text}`);
      n.isFloat = true;
      n.float = f;
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) throw new Error(`illegal number syntax: ${quote(text)}`);
  return n;
}
