// The Dockerfile word lexer: quotes, the escape token, `$VAR` and `${VAR…}` expansion and the
// splitting of a word into words, with BuildKit's semantics (frontend/dockerfile/shell) so that
// every case of its envVarTest and wordsTest expands the same. One lexer serves the parser (heredoc
// detection), the instructions (ENV, COPY, WORKDIR… expansion) and `import/commit -c`.
//
// It walks code points, not UTF-16 units, because Go's text/scanner reads runes: `${X#?}` strips
// one character even when that character is outside the BMP.
import { InvalidArgument } from '../errors/index.ts';
import { quote } from '../lib/index.ts';

/** Variables as the lexer looks them up; `undefined` means unset (distinct from empty). */
export interface EnvGetter {
  get(name: string): string | undefined;
  keys(): string[];
}

/** An EnvGetter over `KEY=value` strings; a later entry overrides an earlier one, as in BuildKit. */
export function envFromList(list: Iterable<string>): EnvGetter {
  const values = new Map<string, string>();
  const keys: string[] = [];
  for (const entry of list) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    keys.push(key);
    values.set(key, eq < 0 ? '' : entry.slice(eq + 1));
  }
  return { get: (k) => values.get(k), keys: () => [...keys] };
}

export function envFromMap(map: ReadonlyMap<string, string> | Readonly<Record<string, string>>): EnvGetter {
  const m = map instanceof Map ? map : new Map(Object.entries(map));
  return { get: (k) => m.get(k), keys: () => [...m.keys()] };
}

export const emptyEnv: EnvGetter = { get: () => undefined, keys: () => [] };

export interface LexOptions {
  /** Keep quote characters in the result (used to tell a quoted heredoc delimiter). */
  rawQuotes?: boolean;
  /** Keep escape tokens in the result. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies). */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written instead of expanding them to "". */
  skipUnsetEnv?: boolean;
}

export interface WordResult {
  result: string;
  /** Variables the word referenced that were set. */
  matched: Set<string>;
  /** Variables the word referenced that were unset. */
  unmatched: Set<string>;
}

/** A word the lexer cannot process; the message is BuildKit's ("failed to process …: …"). */
export class LexError extends InvalidArgument {}

const EOF = -1;

/** Go's unicode.IsSpace. JavaScript's \s differs (it has U+FEFF and lacks U+0085). */
export function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}

const letter = /^\p{L}$/u;
const digit = /^\p{Nd}$/u;
const isLetter = (cp: number) => cp >= 0 && (cp < 0x80 ? (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a : letter.test(String.fromCodePoint(cp)));
const isDigit = (cp: number) => cp >= 0 && (cp < 0x80 ? cp >= 0x30 && cp <= 0x39 : digit.test(String.fromCodePoint(cp)));
// POSIX special parameters: never set in a Dockerfile, but they parse as names.
const isSpecialParam = (cp: number) => '@*#?-$!0'.includes(String.fromCodePoint(cp));
const chr = (cp: number) => (cp === EOF ? '\ufffd' : String.fromCodePoint(cp));

export class ShellLexer {
  readonly escapeToken: string;
  readonly options: Readonly<LexOptions>;

  constructor(escapeToken = '\\', options: LexOptions = {}) {
    this.escapeToken = escapeToken;
    this.options = options;
  }

  /** Expands a word to one string (spaces inside kept), as ENV, LABEL, COPY and WORKDIR do. */
  processWord(word: string, env: EnvGetter): WordResult {
    const sw = new ShellWord(this, word, env);
    const { result } = sw.run();
    return { result, matched: sw.matched, unmatched: sw.unmatched };
  }

  /** Expands a word and splits it into words after expansion, as EXPOSE does. */
  processWords(word: string, env: EnvGetter): string[] {
    return new ShellWord(this, word, env).run().words;
  }
}

class Words {
  words: string[] = [];
  buf = '';
  inWord = false;

  addChar(cp: number): void {
    if (isGoSpace(cp)) {
      if (this.inWord && this.buf !== '') {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(cp);
    }
  }

  addRawChar(cp: number): void {
    this.buf += String.fromCodePoint(cp);
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch.codePointAt(0)!);
  }

  addRawString(s: string): void {
    this.buf += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buf !== '') {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class ShellWord {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  readonly #lex: ShellLexer;
  readonly #source: string;
  readonly #cps: number[];
  readonly #env: EnvGetter;
  readonly #escape: number;
  #pos = 0;
  #rawEscapes: boolean;

  constructor(lex: ShellLexer, source: string, env: EnvGetter) {
    this.#lex = lex;
    this.#source = source;
    this.#cps = Array.from(source, (c) => c.codePointAt(0)!);
    this.#env = env;
    this.#escape = lex.escapeToken.codePointAt(0)!;
    this.#rawEscapes = lex.options.rawEscapes ?? false;
  }

  run(): { result: string; words: string[] } {
    try {
      return this.#processStopOn(EOF, this.#rawEscapes);
    } catch (err) {
      if (err instanceof LexInnerError) throw new LexError(`failed to process ${quote(this.#source)}: ${err.message}`);
      throw err;
    }
  }

  #peek(): number {
    return this.#pos < this.#cps.length ? this.#cps[this.#pos] : EOF;
  }

  #next(): number {
    return this.#pos < this.#cps.length ? this.#cps[this.#pos++] : EOF;
  }

  // Each call has its own word buffer: BuildKit shares one between a word and the `${x:-…}` inside
  // it, which loses the text before the substitution in ProcessWords; no fixture depends on that.
  #processStopOn(stopChar: number, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    const saved = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    try {
      while (this.#peek() !== EOF) {
        const ch = this.#peek();
        if (stopChar !== EOF && ch === stopChar) {
          this.#next();
          return { result, words: words.finish() };
        }
        const special = this.#special(ch);
        if (special) {
          const tmp = special();
          result += tmp;
          if (ch === 0x24) words.addString(tmp);
          else words.addRawString(tmp);
          continue;
        }
        let c = this.#next();
        if (c === this.#escape) {
          if (this.#rawEscapes) {
            words.addRawChar(c);
            result += chr(c);
          }
          // The escape token escapes the next character; at the end of the word it vanishes.
          c = this.#next();
          if (c === EOF) break;
          words.addRawChar(c);
        } else {
          words.addChar(c);
        }
        result += chr(c);
      }
      if (stopChar !== EOF) throw new LexInnerError(`unexpected end of statement while looking for matching ${chr(stopChar)}`);
      return { result, words: words.finish() };
    } finally {
      this.#rawEscapes = saved;
    }
  }

  #special(ch: number): (() => string) | undefined {
    if (ch === 0x24) return () => this.#processDollar();
    if (ch === 0x3c) return () => this.#processPossibleHeredoc();
    if (this.#lex.options.skipProcessQuotes) return undefined;
    if (ch === 0x27) return () => this.#processSingleQuote();
    if (ch === 0x22) return () => this.#processDoubleQuote();
    return undefined;
  }

  #processSingleQuote(): string {
    // Everything up to the next ' is literal; a ' cannot be escaped inside.
    const raw = this.#lex.options.rawQuotes;
    let result = raw ? chr(this.#next()) : (this.#next(), '');
    for (;;) {
      const ch = this.#next();
      if (ch === EOF) throw new LexInnerError('unexpected end of statement while looking for matching single-quote');
      if (ch === 0x27) return raw ? result + "'" : result;
      result += chr(ch);
    }
  }

  #processDoubleQuote(): string {
    // Literal except $ and the escape token, which escapes only ", $ and itself (as sh's \ does).
    const raw = this.#lex.options.rawQuotes;
    let result = raw ? chr(this.#next()) : (this.#next(), '');
    for (;;) {
      const peek = this.#peek();
      if (peek === EOF) throw new LexInnerError('unexpected end of statement while looking for matching double-quote');
      if (peek === 0x22) {
        this.#next();
        return raw ? result + '"' : result;
      }
      if (peek === 0x24) {
        result += this.#processDollar();
        continue;
      }
      let ch = this.#next();
      if (ch === this.#escape) {
        if (this.#rawEscapes) result += chr(ch);
        const after = this.#peek();
        if (after === EOF) continue;
        if (after === 0x22 || after === 0x24 || after === this.#escape) ch = this.#next();
      }
      result += chr(ch);
    }
  }

  #processDollar(): string {
    this.#next();
    if (this.#peek() !== 0x7b) {
      const name = this.#processName();
      if (name === '') return '$';
      const value = this.#getEnv(name);
      if (value === undefined && this.#lex.options.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    this.#next();
    const first = this.#peek();
    if (first === EOF) throw new LexInnerError("syntax error: missing '}'");
    if (first === 0x7b || first === 0x7d || first === 0x3a) throw new LexInnerError('syntax error: bad substitution');
    const name = this.#processName();
    let ch = this.#next();
    let chs = chr(ch);
    if (ch === 0x7d) {
      const value = this.#getEnv(name);
      if (value === undefined && this.#lex.options.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === 0x2f) return this.#processReplace(name);
    let nullIsUnset = false;
    if (ch === 0x3a) {
      nullIsUnset = true;
      ch = this.#next();
      chs += chr(ch);
    } else if (!'+-?#%'.includes(chr(ch))) {
      throw new LexInnerError(`unsupported modifier (${chs}) in substitution`);
    }
    const trims = ch === 0x23 || ch === 0x25;
    if (nullIsUnset && trims) throw new LexInnerError(`unsupported modifier (${chs}) in substitution`);
    let word: string;
    try {
      word = this.#processStopOn(0x7d, trims).result;
    } catch (err) {
      if (this.#peek() === EOF) throw new LexInnerError("syntax error: missing '}'");
      throw err;
    }
    const value = this.#getEnv(name);
    if (this.#lex.options.skipUnsetEnv && value === undefined) return `\${${name}${chs}${word}}`;
    const unsetOrNull = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case 0x2d: // -
        return unsetOrNull ? word : value!;
      case 0x2b: // +
        return unsetOrNull ? '' : word;
      case 0x3f: // ?
        if (value === undefined) throw new LexInnerError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new LexInnerError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case 0x23: // #
      case 0x25: {
        // %
        const greedy = word.length > 0 && word.codePointAt(0) === ch;
        const pattern = greedy ? word.slice(1) : word;
        return ch === 0x25 ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
      }
      default:
        throw new LexInnerError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  #processReplace(name: string): string {
    const replaceAll = this.#peek() === 0x2f;
    if (replaceAll) this.#next();
    let pattern: string;
    try {
      pattern = this.#processStopOn(0x2f, true).result;
    } catch (err) {
      if (this.#peek() === EOF) throw new LexInnerError("syntax error: missing '/' in ${}");
      throw err;
    }
    let replacement: string;
    try {
      replacement = this.#processStopOn(0x7d, true).result;
    } catch (err) {
      if (this.#peek() === EOF) throw new LexInnerError("syntax error: missing '}'");
      throw err;
    }
    const value = this.#getEnv(name);
    if (this.#lex.options.skipUnsetEnv && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
    const re = shellPatternToRegExp(pattern, { greedy: true, anchored: false, global: replaceAll });
    const subject = value ?? '';
    if (replaceAll) return subject.replace(re, (...m: unknown[]) => expandGoTemplate(replacement, m[0] as string));
    const found = re.exec(subject);
    if (!found) return subject;
    return subject.slice(0, found.index) + replacement + subject.slice(found.index + found[0].length);
  }

  #processName(): string {
    let name = '';
    while (this.#peek() !== EOF) {
      const ch = this.#peek();
      if (name === '' && isDigit(ch)) {
        // Positional parameters: all the digits, never letters after them.
        while (this.#peek() !== EOF && isDigit(this.#peek())) name += chr(this.#next());
        return name;
      }
      if (name === '' && isSpecialParam(ch)) return chr(this.#next());
      if (!isLetter(ch) && !isDigit(ch) && ch !== 0x5f) break;
      name += chr(this.#next());
    }
    return name;
  }

  #processPossibleHeredoc(): string {
    // "<<" and the blanks after it stay glued to the delimiter, so "<< EOF" is one word.
    this.#next();
    if (this.#peek() !== 0x3c) return '<';
    this.#next();
    let space = '';
    while (this.#peek() === 0x09 || this.#peek() === 0x0d || this.#peek() === 0x20) space += chr(this.#next());
    return '<<' + space;
  }

  #getEnv(name: string): string | undefined {
    const value = this.#env.get(name);
    if (value === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return value;
  }
}

/** An error inside a word, before it is wrapped with the word it came from. */
class LexInnerError extends Error {}

/**
 * A shell pattern (`*`, `?`, `\` escapes; no brackets) as a regular expression, as BuildKit's
 * convertShellPatternToRegex: `*` is greedy or lazy, `\}` and `\/` lose their backslash.
 */
export function shellPatternToRegExp(pattern: string, options: { greedy: boolean; anchored: boolean; global?: boolean }): RegExp {
  const cps = Array.from(pattern);
  let out = options.anchored ? '^' : '';
  for (let i = 0; i < cps.length; i++) {
    const tok = cps[i];
    if (tok === '*') {
      // Go's `.` excludes only \n; JavaScript's also excludes \r, U+2028 and U+2029.
      out += options.greedy ? '[^\n]*' : '[^\n]*?';
    } else if (tok === '?') {
      out += '[^\n]';
    } else if (tok === '\\') {
      const next = cps[i + 1];
      if (next === '}' || next === '/') continue;
      i++;
      if (next !== '*' && next !== '?' && next !== '\\') throw new LexInnerError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? '\ufffd'}'`);
      out += '\\' + next;
    } else if ('[]{}.+()|^$'.includes(tok)) {
      out += '\\' + tok;
    } else {
      out += tok;
    }
  }
  return new RegExp(out, options.global ? 'gu' : 'u');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = shellPatternToRegExp(pattern, { greedy, anchored: true }).exec(value);
  return m ? value.slice(m[0].length) : value;
}

// A regular expression cannot find the shortest match that ends at the end of the string, so the
// pattern and the value are both reversed and the prefix rule is applied.
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

const reverse = (s: string) => Array.from(s).reverse().join('');

/** Reverses a pattern keeping each escape before the character it escapes: a\*c → c\*a. */
export function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out: string[] = new Array(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last; ) {
    const at = last - i;
    if (runes[i] === '\\' && i !== last) {
      out[at - 1] = '\\';
      out[at] = runes[i + 1];
      i += 2;
    } else {
      out[at] = runes[i];
      i++;
    }
  }
  return out.join('');
}

/**
 * Go's Regexp.Expand for `${VAR//pattern/replacement}`: `$$` is `$`, `$0`/`${0}` the match, other
 * names empty (the patterns have no groups), a `$` not followed by a name stays as written.
 */
function expandGoTemplate(template: string, match: string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== '$') {
      out += template[i];
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    const m = /^\{(\w+)\}|^(\w+)/.exec(template.slice(i + 1));
    if (!m) {
      out += '$';
      continue;
    }
    const name = m[1] ?? m[2];
    if (name === '0') out += match;
    i += m[0].length;
  }
  return out;
}
