// A flag parser with spf13/pflag's rules and messages, so berth accepts what the docker CLI
// (cobra + pflag) accepts: --name x, --name=x, -d, clusters like -itd, -p80:80, -p=80:80,
// --rm=false, repeated flags, "--" to end flags, and commands that stop at their first argument
// (run, create, exec). Also the "Options:" table of docker's help, wrapped the way pflag wraps it.
import { InvalidArgument } from '../errors/index.ts';
import { formatGoDuration, goQuote, parseBool, parseGoDuration, parseInt } from '../lib/index.ts';

/**
 * stringArray appends each value whole (docker's ListOpts, `-e A=1,B=2` is one value);
 * stringSlice splits each value as one CSV record (pflag's StringSlice, `--x a,b`).
 * duration values are Go durations ("1m30s") in nanoseconds.
 */
export type FlagType = 'string' | 'bool' | 'int' | 'duration' | 'stringArray' | 'stringSlice';

export type FlagValue<T extends FlagType = FlagType> = T extends 'bool'
  ? boolean
  : T extends 'int'
    ? number
    : T extends 'duration'
      ? bigint
      : T extends 'stringArray' | 'stringSlice'
        ? string[]
        : string;

export interface FlagSpec {
  type: FlagType;
  /** One character: "d" for -d. */
  short?: string;
  /** Help text; a `backquoted` word in it names the value in help ("--format `string`"). */
  usage?: string;
  /** The value before any flag is given; left out of the result when undefined. */
  default?: string | number | boolean | bigint | readonly string[];
  /** The value's name in help ("list", "bytes"); defaults to pflag's name for the type. */
  valueName?: string;
  hidden?: boolean;
  /** Still accepted, hidden from help, and a warning "Flag --x has been deprecated, <this>". */
  deprecated?: string;
  /** The short form is still accepted but hidden, with a warning "Flag shorthand -x has been deprecated, <this>". */
  shortDeprecated?: string;
  /** Other long names that set this flag, hidden from help (docker's --net for --network). */
  aliases?: readonly string[];
  /** Checks each value as it is set (a docker "opts" type); its error message is pflag's reason. */
  validate?: (raw: string) => void;
}

/** A command's flag table, keyed by long name. */
export type FlagSpecs = Record<string, FlagSpec>;

type WithDefault = { default: NonNullable<FlagSpec['default']> };

/**
 * The parsed values of a flag table, typed after it: a flag is typed by its `type`, and is
 * always present when its spec has a default, optional otherwise. Declare tables with
 * `defineCommand` or `as const satisfies FlagSpecs` so their types stay literal.
 */
export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S as S[K] extends WithDefault ? K : never]: FlagValue<S[K]['type']>;
} & {
  -readonly [K in keyof S as S[K] extends WithDefault ? never : K]?: FlagValue<S[K]['type']>;
};

export interface ParsedFlags<S extends FlagSpecs> {
  /** Every flag given, and every flag with a default. */
  flags: FlagValues<S>;
  /** The positional arguments, including everything after "--". */
  args: string[];
  /** The names (spec keys) of the flags given on the command line. */
  set: Set<string>;
  /** How many of `args` came before "--"; -1 without "--" (pflag's ArgsLenAtDash). */
  argsLenAtDash: number;
  /** Deprecation notices to print on stderr, in pflag's words. */
  warnings: string[];
}

export interface ParseOptions {
  /** Flags may follow positional arguments (default). False stops at the first argument, as `docker run` does. */
  interspersed?: boolean;
}

/** A command line the flags do not accept; the message is pflag's. */
export class FlagError extends InvalidArgument {}

interface Entry {
  name: string;
  spec: FlagSpec;
}

function compile(specs: FlagSpecs): { long: Map<string, Entry>; short: Map<string, Entry> } {
  const long = new Map<string, Entry>();
  const short = new Map<string, Entry>();
  for (const [name, spec] of Object.entries(specs)) {
    for (const n of [name, ...(spec.aliases ?? [])]) {
      if (!n || n.startsWith('-') || n.includes('=')) throw new TypeError(`invalid flag name ${JSON.stringify(n)}`);
      if (long.has(n)) throw new TypeError(`flag redefined: ${n}`);
      long.set(n, { name, spec });
    }
    if (spec.short !== undefined) {
      if (spec.short.length !== 1 || spec.short === '-' || spec.short === '=') throw new TypeError(`invalid shorthand ${JSON.stringify(spec.short)} for --${name}`);
      if (short.has(spec.short)) throw new TypeError(`unable to redefine ${JSON.stringify(spec.short)} shorthand: it's already used for ${JSON.stringify(short.get(spec.short)!.name)} flag`);
      short.set(spec.short, { name, spec });
    }
  }
  return { long, short };
}

function cloneDefault(value: NonNullable<FlagSpec['default']>): unknown {
  return Array.isArray(value) ? [...value] : value;
}

/**
 * Parses `argv` (the arguments after the command name) against `specs`, with pflag's rules:
 * a bool flag never takes the next argument (`--rm=false`, not `--rm false`); a value-taking
 * short flag takes the rest of its cluster or the next argument (`-p80`, `-itp 80`); "-" alone
 * is an argument; "--" ends the flags. Throws FlagError with pflag's messages.
 */
export function parseFlags<S extends FlagSpecs>(argv: readonly string[], specs: S, options: ParseOptions = {}): ParsedFlags<S> {
  const interspersed = options.interspersed ?? true;
  const { long, short } = compile(specs);
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) values[name] = cloneDefault(spec.default);
  const set = new Set<string>();
  const args: string[] = [];
  const warnings: string[] = [];
  let argsLenAtDash = -1;

  const assign = (entry: Entry, raw: string, longName?: string) => {
    const { name, spec } = entry;
    let value: unknown;
    try {
      value = convert(spec, raw, set.has(name) ? values[name] : undefined);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      const title = longName !== undefined && longName !== name ? `--${longName}` : spec.short && !spec.shortDeprecated ? `-${spec.short}, --${name}` : `--${name}`;
      throw new FlagError(`invalid argument ${goQuote(raw)} for ${goQuote(title)} flag: ${err.message}`);
    }
    values[name] = value;
    set.add(name);
    if (spec.deprecated) warnings.push(`Flag --${longName ?? name} has been deprecated, ${spec.deprecated}`);
  };

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++];
    if (arg.length < 2 || arg[0] !== '-') {
      if (!interspersed) {
        args.push(arg, ...argv.slice(i));
        break;
      }
      args.push(arg);
      continue;
    }
    if (arg[1] === '-') {
      if (arg.length === 2) {
        argsLenAtDash = args.length;
        args.push(...argv.slice(i));
        break;
      }
      const body = arg.slice(2);
      if (body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${arg}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const entry = long.get(name);
      if (!entry) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) assign(entry, body.slice(eq + 1), name);
      else if (entry.spec.type === 'bool') assign(entry, 'true', name);
      else if (i < argv.length) assign(entry, argv[i++], name);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    // A cluster of shorthands; pflag names the rest of the cluster, not all of it, in errors.
    let shorthands = arg.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0];
      const entry = short.get(c);
      if (!entry) throw new FlagError(`unknown shorthand flag: '${c}' in -${shorthands}`);
      let value: string;
      let rest = shorthands.slice(1);
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        rest = '';
      } else if (entry.spec.type === 'bool') {
        value = 'true';
      } else if (shorthands.length > 1) {
        value = rest;
        rest = '';
      } else if (i < argv.length) {
        value = argv[i++];
      } else {
        throw new FlagError(`flag needs an argument: '${c}' in -${shorthands}`);
      }
      if (entry.spec.shortDeprecated) warnings.push(`Flag shorthand -${c} has been deprecated, ${entry.spec.shortDeprecated}`);
      assign(entry, value);
      shorthands = rest;
    }
  }
  return { flags: values as FlagValues<S>, args, set, argsLenAtDash, warnings };
}

/** Why a value was refused, in the words of the Go function that refused it. */
class ValueError extends Error {}

function convert(spec: FlagSpec, raw: string, previous: unknown): unknown {
  if (spec.validate) {
    try {
      spec.validate(raw);
    } catch (err) {
      throw new ValueError((err as Error).message);
    }
  }
  switch (spec.type) {
    case 'string':
      return raw;
    case 'bool':
    case 'int':
    case 'duration':
      try {
        return spec.type === 'bool' ? parseBool(raw) : spec.type === 'int' ? Number(parseInt(raw, 64)) : parseGoDuration(raw);
      } catch (err) {
        throw new ValueError((err as Error).message);
      }
    case 'stringArray':
      // The first value given replaces the default.
      return previous === undefined ? [raw] : [...(previous as string[]), raw];
    case 'stringSlice': {
      const items = raw === '' ? [] : readCsvRecord(raw);
      return previous === undefined ? items : [...(previous as string[]), ...items];
    }
  }
}


/** The first record of Go's encoding/csv Reader (pflag's StringSlice), with its error messages. */
function readCsvRecord(input: string): string[] {
  const text = input.replace(/\r\n/g, '\n');
  let line = 1;
  let pos = 0;
  // Go skips empty lines before a record.
  while (text[pos] === '\n') {
    pos++;
    line++;
  }
  const recordLine = line;
  const fail = (atLine: number, col: number, why: string) =>
    new ValueError(
      atLine === recordLine ? `parse error on line ${atLine}, column ${col}: ${why}` : `record on line ${recordLine}; parse error on line ${atLine}, column ${col}: ${why}`,
    );
  const bytes = (s: string) => Buffer.byteLength(s);
  const fields: string[] = [];
  let col = 1;
  for (;;) {
    if (text[pos] !== '"') {
      let end = pos;
      while (end < text.length && text[end] !== ',' && text[end] !== '\n') end++;
      const field = text.slice(pos, end);
      const quote = field.indexOf('"');
      if (quote >= 0) throw fail(line, col + bytes(field.slice(0, quote)), 'bare " in non-quoted-field');
      fields.push(field);
      if (text[end] !== ',') return fields;
      col += bytes(field) + 1;
      pos = end + 1;
      continue;
    }
    pos++;
    col++;
    let value = '';
    for (;;) {
      const quote = text.indexOf('"', pos);
      if (quote < 0) {
        // No closing quote: Go reads on to the end and reports where it stopped.
        const restLines = text.slice(pos).split('\n');
        restLines.forEach((part, k) => {
          if (k === 0) col += bytes(part);
          else if (part === '' && k === restLines.length - 1) col += 1;
          else {
            line++;
            col = 1 + bytes(part);
          }
        });
        throw fail(line, col, 'extraneous or missing " in quoted-field');
      }
      const chunk = text.slice(pos, quote);
      value += chunk;
      const nl = chunk.lastIndexOf('\n');
      if (nl >= 0) {
        line += chunk.split('\n').length - 1;
        col = 1 + bytes(chunk.slice(nl + 1));
      } else col += bytes(chunk);
      pos = quote + 1;
      col++;
      const next = text[pos];
      if (next === '"') {
        value += '"';
        pos++;
        col++;
      } else if (next === ',') {
        fields.push(value);
        pos++;
        col++;
        break;
      } else if (next === undefined || next === '\n') {
        fields.push(value);
        return fields;
      } else {
        throw fail(line, col - 1, 'extraneous or missing " in quoted-field');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Help text

/** pflag's UnquoteUsage: the value's name and the usage with its back quotes removed. */
function valueNameAndUsage(spec: FlagSpec): [string, string] {
  const usage = spec.usage ?? '';
  const open = usage.indexOf('`');
  if (open >= 0) {
    const close = usage.indexOf('`', open + 1);
    if (close >= 0) {
      const name = usage.slice(open + 1, close);
      return [name, usage.slice(0, open) + name + usage.slice(close + 1)];
    }
  }
  if (spec.valueName !== undefined) return [spec.valueName, usage];
  const byType: Record<FlagType, string> = { string: 'string', bool: '', int: 'int', duration: 'duration', stringArray: 'stringArray', stringSlice: 'strings' };
  return [byType[spec.type], usage];
}

/** Go's csv.Writer for one record, as pflag prints slice defaults. */
function csvLine(values: readonly string[]): string {
  return values
    .map((v) => (v !== '' && (/[",\r\n]/.test(v) || v === '\\.' || /^\s/u.test(v)) ? `"${v.replaceAll('"', '""')}"` : v))
    .join(',');
}

/** " (default …)" as pflag adds it, or "" for the zero value. */
function defaultNote(spec: FlagSpec): string {
  const d = spec.default;
  if (d === undefined) return '';
  switch (spec.type) {
    case 'string':
      return d === '' ? '' : ` (default ${goQuote(String(d))})`;
    case 'bool':
      return d === true ? ' (default true)' : '';
    case 'int':
      return Number(d) === 0 ? '' : ` (default ${Number(d)})`;
    case 'duration': {
      const ns = typeof d === 'bigint' ? d : typeof d === 'string' ? parseGoDuration(d) : BigInt(Math.trunc(Number(d)));
      return ns === 0n ? '' : ` (default ${formatGoDuration(ns)})`;
    }
    case 'stringArray':
    case 'stringSlice': {
      const list = Array.isArray(d) ? (d as readonly string[]) : [String(d)];
      return list.length === 0 ? '' : ` (default [${csvLine(list)}])`;
    }
  }
}

/** pflag's wrapN: split `s` at the last blank before `i` characters, unless it fits within i + slop. */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

/** pflag's wrap: `s` wrapped to `width` columns, continuation lines indented by `indent`. */
function wrap(indent: number, width: number, s: string): string {
  if (width === 0) return s.replaceAll('\n', `\n${' '.repeat(indent)}`);
  let room = width - indent;
  let out = '';
  // Too narrow: start the text on its own line at column 16.
  if (room < 24) {
    indent = 16;
    room = width - indent;
    out += `\n${' '.repeat(indent)}`;
  }
  if (room < 24) return s.replaceAll('\n', out);
  const slop = 5;
  room -= slop;
  const pad = ' '.repeat(indent);
  const [first, remainder] = wrapN(room, slop, s);
  out += first.replaceAll('\n', `\n${pad}`);
  let rest = remainder;
  while (rest !== '') {
    let part: string;
    [part, rest] = wrapN(room, slop, rest);
    out += `\n${pad}${part.replaceAll('\n', `\n${pad}`)}`;
  }
  return out;
}

/**
 * The flag table of docker's help (pflag's FlagUsagesWrapped), one flag a line in name order,
 * hidden and deprecated flags left out, each line ending in "\n". `columns` is the terminal
 * width (docker: 80 when not a terminal); text wraps one column short of it; 0 never wraps.
 */
export function flagUsages(specs: FlagSpecs, options: { columns?: number } = {}): string {
  const columns = options.columns ?? 80;
  const rows: [string, string][] = [];
  for (const name of Object.keys(specs).sort()) {
    const spec = specs[name];
    if (spec.hidden || spec.deprecated) continue;
    const [valueName, usage] = valueNameAndUsage(spec);
    const head = (spec.short && !spec.shortDeprecated ? `  -${spec.short}, --${name}` : `      --${name}`) + (valueName ? ` ${valueName}` : '');
    rows.push([head, usage + defaultNote(spec)]);
  }
  // pflag pads to the longest head plus one, then joins with spaces: at least three between columns.
  const width = Math.max(0, ...rows.map(([head]) => head.length)) + 1;
  return rows.map(([head, text]) => `${head} ${' '.repeat(width - head.length)} ${wrap(width + 2, columns > 0 ? columns - 1 : 0, text)}\n`).join('');
}

export interface UsageOptions {
  /** What follows the command in the usage line: "[OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage?: string;
  description: string;
  /** Every name of the command as docker lists them under "Aliases:", e.g. ["docker container ls", "docker ps"]. */
  aliases?: readonly string[];
  flags?: FlagSpecs;
  /** Terminal width; see flagUsages. */
  columns?: number;
}

/** A command's help in docker's layout: usage line, description, aliases, options. Ends with "\n". */
export function formatUsage(command: string, options: UsageOptions): string {
  const out = [`Usage:  ${command}${options.usage ? ` ${options.usage}` : ''}`, '', options.description.trim()];
  if (options.aliases?.length) out.push('', 'Aliases:', `  ${options.aliases.join(', ')}`);
  const table = options.flags ? flagUsages(options.flags, { columns: options.columns }).trimEnd() : '';
  if (table) out.push('', 'Options:', table);
  return out.join('\n') + '\n';
}

/** docker's --filter values (opts.FilterOpt): name=value, checked as they are given. */
export function validFilter(raw: string): void {
  if (raw.indexOf('=') <= 0) throw new Error('bad format of filter (expected name=value)');
}

/** The values of a filterFlag as the API's filters map (keys lower-cased, as docker does). */
export function filterMap(values: readonly string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of values ?? []) {
    const eq = f.indexOf('=');
    (out[f.slice(0, eq).toLowerCase()] ??= []).push(f.slice(eq + 1));
  }
  return out;
}

/**
 * A management command's options as long flags, so that the subcommand reads them as the
 * management command did even where it gives a letter another meaning (`compose -f a.yml logs -f`:
 * the first -f is --file, the second --follow). The options have already parsed, so every short
 * letter names one of `specs`.
 */
export function longForms(lead: readonly string[], specs: FlagSpecs): string[] {
  const byShort = new Map(Object.entries(specs).flatMap(([name, s]) => (s.short ? [[s.short, { name, takesValue: s.type !== 'bool' }] as const] : [])));
  const out: string[] = [];
  for (let i = 0; i < lead.length; i++) {
    const arg = lead[i]!;
    if (!/^-[^-]/.test(arg)) {
      out.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const flag = byShort.get(arg[j]!);
      if (!flag) {
        out.push(`-${arg.slice(j)}`);
        break;
      }
      if (!flag.takesValue) {
        out.push(`--${flag.name}`);
        continue;
      }
      // the value is the rest of this argument (-fx.yml, -f=x.yml) or the next one
      const inline = arg.slice(j + 1).replace(/^=/, '');
      out.push(`--${flag.name}=${inline !== '' || j + 1 < arg.length ? inline : (lead[++i] ?? '')}`);
      break;
    }
  }
  return out;
}
