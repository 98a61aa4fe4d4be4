// The Dockerfile parser: text to a list of instruction nodes, with BuildKit's rules (frontend/
// dockerfile/parser) so that every fixture of its testfiles dumps to the same S-expressions:
// directives, line continuations (with comments and empty lines inside them), heredocs, and each
// instruction's own argument syntax (JSON or shell form, key=value pairs, whitespace lists).
// Word expansion happens later, per instruction, with the same lexer (shell-lexer.ts).
import { InvalidArgument } from '../errors/index.ts';
import { quote } from '../lib/index.ts';
import { DirectiveParser, parseCheckDirective, type CheckDirective } from './directives.ts';
import { emptyEnv, isGoSpace, ShellLexer } from './shell-lexer.ts';

export interface Heredoc {
  /** The delimiter word, unquoted. */
  name: string;
  /** The descriptor before `<<` (`3<<EOF`), 0 when none. */
  fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is then taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the body lines. */
  chomp: boolean;
  /** The body lines, each with its newline. */
  content: string;
}

/** One instruction as written, before its flags and arguments are interpreted. */
export interface InstructionNode {
  /** The keyword as written ("RUN", "from"); compare case-insensitively. */
  keyword: string;
  /** Leading `--flag[=value]` words, quotes removed. */
  flags: string[];
  /** The arguments as the instruction's line parser split them (quotes kept where it keeps them). */
  args: string[];
  /** ONBUILD's trigger instruction. */
  trigger?: InstructionNode;
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** The logical line (continuations joined) the node was parsed from. */
  original: string;
  /** 1-based lines of the source the instruction spans (heredoc bodies included). */
  startLine: number;
  endLine: number;
  /** The comment lines just above the instruction. */
  comments: string[];
}

export type ParseWarningRule = 'NoEmptyContinuation' | 'SyntaxDirectiveIgnored';

export interface ParseWarning {
  rule: ParseWarningRule;
  short: string;
  detail: string;
  url?: string;
  line: number;
}

export interface ParseResult {
  instructions: InstructionNode[];
  escapeToken: '\\' | '`';
  warnings: ParseWarning[];
  /** The `# syntax=` value: recorded, never acted on (Berth has one Dockerfile frontend). */
  syntax?: string;
  check?: CheckDirective;
}

/** A Dockerfile that cannot be parsed; the message names the line as BuildKit's does. */
export class DockerfileParseError extends InvalidArgument {
  readonly line: number;
  readonly reason: string;
  constructor(reason: string, line: number) {
    super(`dockerfile parse error on line ${line}: ${reason}`);
    this.line = line;
    this.reason = reason;
  }
}

/** The largest line bufio.Scanner accepts, newline included. */
const maxLineBytes = 64 * 1024;

// Whitespace between words as BuildKit's regexp [\t\v\f\r ]+ sees it (a newline is not one).
const reWhitespace = /[\t\v\f\r ]+/;
const reHeredoc = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

const heredocInstructions = new Set(['add', 'copy', 'run']);

interface ParserState {
  escapeToken: '\\' | '`';
  continuation: RegExp;
  directives: DirectiveParser;
}

function setEscapeToken(state: ParserState, token: string): void {
  if (token !== '`' && token !== '\\') throw new InvalidArgument(`invalid escape token '${token}' does not match \` or \\`);
  state.escapeToken = token;
  const e = token === '\\' ? '\\\\' : '`';
  // The escape token as the last non-blank character continues the line, unless it is itself
  // escaped; alone on a line it continues too.
  state.continuation = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

/** Splits text into lines that keep their "\n", as BuildKit's scanner does. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      if (start < text.length) lines.push(text.slice(start));
      return lines;
    }
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
}

const trimNewline = (s: string) => s.replace(/[\r\n]+$/, '');
const trimLeadingSpace = (s: string) => {
  let i = 0;
  while (i < s.length && isGoSpace(s.codePointAt(i)!)) i += s.codePointAt(i)! > 0xffff ? 2 : 1;
  return s.slice(i);
};
const isComment = (s: string) => trimLeadingSpace(s).startsWith('#');
const isEmptyContinuationLine = (s: string) => trimLeadingSpace(trimNewline(s)).length === 0;

/** Parses a whole Dockerfile. Throws DockerfileParseError. */
export function parseDockerfile(source: string | Uint8Array): ParseResult {
  const text = typeof source === 'string' ? source : Buffer.from(source).toString('utf8');
  const state = { directives: new DirectiveParser() } as ParserState;
  setEscapeToken(state, '\\');
  const lines = splitLines(text);
  const instructions: InstructionNode[] = [];
  const warnings: ParseWarning[] = [];
  let syntax: string | undefined;
  let check: CheckDirective | undefined;
  let comments: string[] = [];
  let index = 0;
  let currentLine = 0;

  const nextLine = (): string | undefined => {
    if (index >= lines.length) return undefined;
    const line = lines[index++];
    if (Buffer.byteLength(line) > maxLineBytes) throw new DockerfileParseError(`dockerfile line greater than max allowed size of ${maxLineBytes - 1}`, currentLine + 1);
    return line;
  };

  // Strips the newline (and leading blanks on a first line), notes a directive, and returns the
  // line with a comment reduced to nothing.
  const processLine = (raw: string, stripLeft: boolean): { text: string; directive: boolean } => {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeadingSpace(token);
    let directive = false;
    try {
      const d = state.directives.parseLine(token);
      if (d) {
        directive = true;
        if (d.name === 'escape') setEscapeToken(state, d.value);
        else if (d.name === 'syntax') syntax = d.value;
        else check = parseCheckDirective(d.value);
      }
    } catch (err) {
      throw new DockerfileParseError((err as Error).message, currentLine + 1);
    }
    return { text: isComment(token) ? '' : token, directive };
  };

  const trimContinuation = (line: string): { text: string; end: boolean } =>
    state.continuation.test(line) ? { text: line.replace(state.continuation, '$1'), end: false } : { text: line, end: true };

  for (let raw = nextLine(); raw !== undefined; raw = nextLine()) {
    if (currentLine === 0 && raw.startsWith('\ufeff')) raw = raw.slice(1);
    if (isComment(raw)) {
      const comment = trimLeadingSpace(raw).slice(1).trim();
      comments = comment === '' ? [] : [...comments, comment];
    }
    const first = processLine(raw, true);
    if (first.directive) comments = comments.slice(0, -1);
    currentLine++;
    const startLine = currentLine;
    let { text: logical, end } = trimContinuation(first.text);
    if (end && logical.length === 0) continue;

    let emptyContinuation = false;
    while (!end) {
      const rawNext = nextLine();
      if (rawNext === undefined) break;
      const next = processLine(rawNext, false);
      currentLine++;
      if (isComment(rawNext)) continue;
      if (isEmptyContinuationLine(next.text)) {
        emptyContinuation = true;
        continue;
      }
      const part = trimContinuation(next.text);
      logical += part.text;
      end = part.end;
    }

    if (emptyContinuation) {
      warnings.push({
        rule: 'NoEmptyContinuation',
        short: `Empty continuation line found in: ${logical}`,
        detail: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        line: currentLine,
      });
    }

    let node: InstructionNode;
    try {
      node = nodeFromLine(logical, state, comments);
    } catch (err) {
      throw new DockerfileParseError((err as Error).message, startLine);
    }

    if (canContainHeredoc(node) && logical.includes('<<')) {
      let heredocs: Heredoc[];
      try {
        heredocs = heredocsFromLine(logical);
      } catch (err) {
        throw new DockerfileParseError((err as Error).message, startLine);
      }
      for (const heredoc of heredocs) {
        let terminated = false;
        let content = heredoc.content;
        for (let body = nextLine(); body !== undefined; body = nextLine()) {
          currentLine++;
          let candidate = trimNewline(body);
          if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === heredoc.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) throw new DockerfileParseError('unterminated heredoc', startLine);
        node.heredocs.push({ ...heredoc, content });
      }
    }

    node.startLine = startLine;
    node.endLine = currentLine;
    instructions.push(node);
    comments = [];
  }

  if (instructions.length === 0) throw new DockerfileParseError('file with no instructions', currentLine);
  if (syntax !== undefined) {
    warnings.push({
      rule: 'SyntaxDirectiveIgnored',
      short: `The syntax directive "${syntax}" is ignored: Berth builds with its own Dockerfile frontend`,
      detail: 'Berth does not run external frontend images',
      line: 1,
    });
  }
  return { instructions, escapeToken: state.escapeToken, warnings, ...(syntax !== undefined ? { syntax } : {}), ...(check ? { check } : {}) };
}

function canContainHeredoc(node: InstructionNode): boolean {
  const target = node.keyword.toLowerCase() === 'onbuild' && node.trigger ? node.trigger : node;
  return heredocInstructions.has(target.keyword.toLowerCase()) && !target.json;
}

/**
 * The heredocs a line opens, in order. The line is split into words with quotes and escapes kept
 * and unset variables left alone, then each word that looks like `<<[-]WORD` is one.
 */
export function heredocsFromLine(line: string): Heredoc[] {
  const lex = new ShellLexer('\\', { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  let words: string[];
  try {
    words = lex.processWords(line, emptyEnv);
  } catch {
    return [];
  }
  const docs: Heredoc[] = [];
  for (const word of words) {
    const heredoc = parseHeredoc(word);
    if (heredoc) docs.push(heredoc);
  }
  return docs;
}

/** A `<<[-]WORD` word as a heredoc (content empty), or undefined when the word is not one. */
export function parseHeredoc(word: string): Heredoc | undefined {
  const m = reHeredoc.exec(word);
  if (!m || m[3].length === 0) return undefined;
  const rest = m[3];
  const plain = new ShellLexer('\\', { skipUnsetEnv: true }).processWords(rest, emptyEnv);
  if (plain.length !== 1) return undefined;
  const raw = new ShellLexer('\\', { skipUnsetEnv: true, rawQuotes: true }).processWords(rest, emptyEnv);
  if (raw.length !== plain.length) throw new InvalidArgument(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  // A quote anywhere in the delimiter turns expansion of the body off, as in sh.
  const quotes = (s: string) => s.split('').filter((c) => c === "'" || c === '"').length;
  return {
    name: plain[0],
    fileDescriptor: m[1] === '' ? 0 : Number(m[1]),
    expand: quotes(plain[0]) === quotes(raw[0]),
    chomp: m[2] === '-',
    content: '',
  };
}

/** `<<-` bodies lose the tabs at the start of every line. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}

// ---------------------------------------------------------------------------------------------
// One logical line → one node.

type LineParser = (rest: string, state: ParserState) => { args: string[]; json?: boolean; trigger?: InstructionNode };

const lineParsers: Record<string, LineParser> = {
  add: parseMaybeJsonToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: (rest, state) => ({ args: parseNameVal(rest, 'ENV', state) }),
  expose: parseWhitespaceDelimited,
  from: parseWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: (rest, state) => ({ args: parseNameVal(rest, 'LABEL', state) }),
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJsonToList,
  workdir: parseString,
};

function nodeFromLine(line: string, state: ParserState, comments: string[]): InstructionNode {
  const { keyword, flags, rest } = splitCommand(line, state);
  // An unknown keyword parses (to one empty argument, as BuildKit's dump shows) and fails later,
  // when instructions are interpreted, with the line number.
  const parser = lineParsers[keyword.toLowerCase()] ?? (() => ({ args: [''] }));
  const parsed = parser(rest, state);
  return {
    keyword,
    flags,
    args: parsed.args,
    ...(parsed.trigger ? { trigger: parsed.trigger } : {}),
    json: parsed.json ?? false,
    heredocs: [],
    original: line,
    startLine: 0,
    endLine: 0,
    comments,
  };
}

function splitCommand(line: string, state: ParserState): { keyword: string; flags: string[]; rest: string } {
  const trimmed = goTrimSpace(line);
  const m = reWhitespace.exec(trimmed);
  if (!m) return { keyword: trimmed, flags: [], rest: '' };
  const { rest, flags } = extractBuilderFlags(trimmed.slice(m.index + m[0].length), state);
  return { keyword: trimmed.slice(0, m.index), flags, rest: goTrimSpace(rest) };
}

function goTrimSpace(s: string): string {
  let end = s.length;
  while (end > 0 && isGoSpace(s.charCodeAt(end - 1))) end--;
  return trimLeadingSpace(s.slice(0, end));
}

/** Leading `--name[=value]` words (quotes and escapes resolved) up to the first other word or `--`. */
function extractBuilderFlags(line: string, state: ParserState): { rest: string; flags: string[] } {
  const flags: string[] = [];
  const enum Phase {
    Spaces,
    Word,
    Quote,
  }
  let phase = Phase.Spaces;
  let word = '';
  let quoteChar = '';
  let blankOK = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const atEnd = pos === line.length;
    let ch = atEnd ? '' : line[pos];
    if (phase === Phase.Spaces) {
      if (atEnd) break;
      if (isGoSpace(ch.charCodeAt(0))) continue;
      if (ch !== '-' || pos + 1 === line.length || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      phase = Phase.Word;
    }
    if (atEnd) {
      if (word !== '--' && (blankOK || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === Phase.Word) {
      if (isGoSpace(ch.charCodeAt(0))) {
        phase = Phase.Spaces;
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOK || word.length > 0) flags.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quoteChar = ch;
        blankOK = true;
        phase = Phase.Quote;
        continue;
      }
      if (ch === state.escapeToken) {
        if (pos + 1 === line.length) continue;
        ch = line[++pos];
      }
      word += ch;
      continue;
    }
    // Phase.Quote
    if (ch === quoteChar) {
      phase = Phase.Word;
      continue;
    }
    if (ch === state.escapeToken) {
      if (pos + 1 === line.length) {
        phase = Phase.Word;
        continue;
      }
      ch = line[++pos];
    }
    word += ch;
  }
  return { rest: '', flags };
}

/**
 * Words separated by blanks, quotes kept (they are removed later, when the instruction expands
 * its words); an escape token keeps the character after it in the same word.
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  const chars = Array.from(rest);
  let inSpaces = true;
  let quoteChar = '';
  let word = '';
  let blankOK = false;
  for (let i = 0; i <= chars.length; i++) {
    const atEnd = i === chars.length;
    let ch = atEnd ? '' : chars[i];
    if (inSpaces) {
      if (atEnd) break;
      if (isGoSpace(ch.codePointAt(0)!)) continue;
      inSpaces = false;
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (quoteChar === '') {
      if (isGoSpace(ch.codePointAt(0)!)) {
        inSpaces = true;
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quoteChar = ch;
        blankOK = true;
      } else if (ch === escapeToken) {
        if (i + 1 === chars.length) continue;
        word += ch;
        ch = chars[++i];
      }
      word += ch;
      continue;
    }
    const closes = ch === quoteChar;
    // Inside single quotes the escape token escapes nothing.
    if (ch === escapeToken && quoteChar !== "'") {
      if (i + 1 === chars.length) {
        quoteChar = '';
        continue;
      }
      word += ch;
      ch = chars[++i];
    }
    if (closes) quoteChar = '';
    word += ch;
  }
  return words;
}

/**
 * ENV and LABEL: `KEY value` (legacy, one pair, the value the rest of the line) or
 * `KEY=value …`. Each pair is three arguments: key, value and the separator ("" or "=").
 */
function parseNameVal(rest: string, keyword: string, state: ParserState): string[] {
  const words = parseWords(rest, state.escapeToken);
  if (words.length === 0) return [];
  if (!words[0].includes('=')) {
    const m = reWhitespace.exec(rest);
    if (!m) throw new InvalidArgument(`${keyword} must have two arguments`);
    return [rest.slice(0, m.index), rest.slice(m.index + m[0].length), ''];
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) throw new InvalidArgument(`Syntax error - can't find = in ${quote(word)}. Must be of the form: name=value`);
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return args;
}

function parseNameOrNameVal(rest: string, state: ParserState): { args: string[] } {
  return { args: parseWords(rest, state.escapeToken) };
}

function parseWhitespaceDelimited(rest: string): { args: string[] } {
  return { args: rest === '' ? [] : rest.split(reWhitespace) };
}

function parseString(rest: string): { args: string[] } {
  return { args: rest === '' ? [] : [rest] };
}

class NotStringArrayError extends InvalidArgument {
  constructor() {
    super('when using JSON array syntax, arrays must be comprised of strings only');
  }
}

function parseJson(rest: string): string[] | undefined {
  const text = trimLeadingSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) throw new NotStringArrayError();
  return value as string[];
}

function parseMaybeJson(rest: string): { args: string[]; json?: boolean } {
  if (rest === '') return { args: [] };
  const json = parseJson(rest);
  return json ? { args: json, json: true } : { args: [rest] };
}

function parseMaybeJsonToList(rest: string): { args: string[]; json?: boolean } {
  const json = parseJson(rest);
  return json ? { args: json, json: true } : parseWhitespaceDelimited(rest);
}

/** HEALTHCHECK: a type word (CMD, NONE…), then the command in JSON or shell form. */
function parseHealthConfig(rest: string): { args: string[]; json?: boolean } {
  let sep = 0;
  while (sep < rest.length && !isGoSpace(rest.charCodeAt(sep))) sep++;
  let next = sep;
  while (next < rest.length && isGoSpace(rest.charCodeAt(next))) next++;
  if (sep === 0) return { args: [] };
  const cmd = parseMaybeJson(rest.slice(next));
  return { args: [rest.slice(0, sep), ...cmd.args], ...(cmd.json ? { json: true } : {}) };
}

function parseSubCommand(rest: string, state: ParserState): { args: string[]; trigger?: InstructionNode } {
  if (rest === '') return { args: [] };
  return { args: [], trigger: nodeFromLine(rest, state, []) };
}

// ---------------------------------------------------------------------------------------------
// BuildKit's AST dump, the format of its parser fixtures: `(from "busybox")`, one per line.

export function dumpNode(node: InstructionNode): string {
  let out = node.keyword.toLowerCase();
  if (node.flags.length > 0) out += ` [${node.flags.map((f) => quote(f)).join(' ')}]`;
  for (const arg of node.args) out += ' ' + quote(arg);
  if (node.trigger) out += ` (${dumpNode(node.trigger)})`;
  return out.trim();
}

export function dumpAst(instructions: readonly InstructionNode[]): string {
  return instructions.map((n) => `(${dumpNode(n)})`).join('\n');
}

/** The parse warnings as dockerd's classic builder prints them. */
export function formatParseWarnings(warnings: readonly ParseWarning[]): string[] {
  const continuation = warnings.filter((w) => w.rule === 'NoEmptyContinuation');
  if (continuation.length === 0) return [];
  return [...continuation.map((w) => `[WARNING]: ${w.short}`), '[WARNING]: Empty continuation lines will become errors in a future release.'];
}
