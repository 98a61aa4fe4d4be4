// The .env format of compose (godotenv as compose-go extends it): `KEY=value`, `export KEY=value`,
// `KEY: value`, single quotes literal, double quotes with escapes and interpolation, unquoted
// values interpolated with inline ` #` comments dropped, and a bare `KEY` taken from the
// environment. The `raw` format is docker run's --env-file: lines kept as written.
import { InvalidArgument } from '../errors/index.ts';
import { substitute, type Lookup } from './interpolate.ts';

const isSpace = (c: string): boolean => c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === ' ' || c === '\u0085' || c === '\u00a0';
const isKeyChar = (c: string): boolean => /[\p{L}\p{N}_.\-[\]]/u.test(c);

/**
 * Parses .env text into `out`; `lookup` resolves `${VAR}` before the file's own earlier keys.
 * Errors are reported with their line, as compose does.
 */
export function parseDotEnv(text: string, out: Record<string, string>, lookup: Lookup = () => undefined): void {
  let src = text.replace(/^\uFEFF/, '');
  let line = 1;
  const resolve: Lookup = (k) => lookup(k) ?? (Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined);
  const expand = (v: string): string => substitute(v, resolve);

  for (;;) {
    // Statement start: skip blank space and comment lines.
    for (;;) {
      let i = 0;
      while (i < src.length && /\s/.test(src[i])) {
        if (src[i] === '\n') line++;
        i++;
      }
      src = src.slice(i);
      if (src[0] !== '#') break;
      const nl = src.indexOf('\n');
      src = nl < 0 ? '' : src.slice(nl);
    }
    if (src === '') return;

    if (/^export\s+/.test(src)) src = src.slice('export'.length).replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    // A last line without `=` or newline is a bare key.
    let key = src;
    let offset = src.length;
    let inherited = true;
    for (let i = 0; i < src.length; i++) {
      const c = src[i];
      if (isSpace(c)) continue;
      if (c === '=' || c === ':' || c === '\n') {
        key = src.slice(0, i);
        offset = i + 1;
        inherited = c === '\n';
        break;
      }
      if (!isKeyChar(c)) {
        throw new InvalidArgument(`line ${line}: unexpected character ${JSON.stringify(c)} in variable name ${JSON.stringify(src.split('\n')[0])}`);
      }
    }
    key = key.replace(/\s+$/, '');
    if (key.includes(' ')) throw new InvalidArgument(`line ${line}: key cannot contain a space`);
    src = src.slice(offset).replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    if (inherited) {
      line++;
      const v = lookup(key);
      if (v !== undefined) out[key] = v;
      continue;
    }

    const quote = src[0];
    if (quote !== '"' && quote !== "'") {
      const nl = src.indexOf('\n');
      let value = nl < 0 ? src : src.slice(0, nl);
      src = nl < 0 ? '' : src.slice(nl + 1);
      line++;
      const comment = value.indexOf(' #');
      if (comment >= 0) value = value.slice(0, comment);
      out[key] = expand(value.replace(/\s+$/, ''));
      continue;
    }
    let chars = '';
    let escaped = false;
    let end = -1;
    for (let i = 1; i < src.length; i++) {
      const c = src[i];
      if (c === '\n') line++;
      if (c !== quote) {
        if (!escaped && c === '\\') {
          escaped = true;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += '\\';
        }
        chars += c;
        continue;
      }
      if (escaped) {
        escaped = false;
        chars += c;
        continue;
      }
      end = i;
      break;
    }
    if (end < 0) {
      const nl = src.indexOf('\n');
      throw new InvalidArgument(`line ${line}: unterminated quoted value ${nl < 0 ? src : src.slice(0, nl)}`);
    }
    out[key] = quote === '"' ? expand(expandEscapes(chars)) : chars;
    src = src.slice(end + 1);
  }
}

const simpleEscapes: Record<string, string> = { a: '\x07', b: '\b', c: 'c', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0\d{0,3})/g, (m) => {
    const c = m[1];
    // `\$` keeps a literal dollar through the interpolation that follows.
    if (c === '$') return '$$';
    if (c === '0') {
      const digits = m.slice(2);
      if (digits.length !== 3 || !/^[0-7]{3}$/.test(digits)) return m;
      const code = parseInt(digits, 8);
      return code > 255 ? m : String.fromCharCode(code);
    }
    // Go's UnquoteChar rejects `\c`: the sequence stays as written.
    if (c === 'c') return m;
    return simpleEscapes[c] ?? m;
  });
}

/** docker run --env-file lines: `KEY=VALUE` as written, a bare `KEY` from the environment. */
export function parseRawEnv(text: string, out: Record<string, string>, lookup: Lookup): void {
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (/\s/.test(key)) throw new InvalidArgument(`variable '${key.replace(/^\s+/, '')}' contains whitespaces`);
    if (eq >= 0) {
      out[key] = line.slice(eq + 1);
      continue;
    }
    const v = lookup(key.replace(/\s+$/, ''));
    if (v !== undefined) out[key] = v;
  }
}

/** An env file in a named format: '' or '.env' (compose's), or 'raw' (docker run's). */
export function parseEnvFileText(text: string, options: { filename: string; format?: string; lookup: Lookup; into: Record<string, string> }): void {
  const format = options.format ?? '';
  try {
    if (format === '' || format === '.env') parseDotEnv(text, options.into, options.lookup);
    else if (format === 'raw') parseRawEnv(text, options.into, options.lookup);
    else throw new InvalidArgument(`unsupported env_file format ${JSON.stringify(format)}`);
  } catch (err) {
    if (err instanceof InvalidArgument && err.message.startsWith('unsupported env_file format')) throw err;
    const what = format === 'raw' ? 'failed to parse env_file' : 'failed to read';
    throw new InvalidArgument(`${what} ${options.filename}: ${(err as Error).message}`);
  }
}
