// Parsed nodes → typed instructions, grouped into stages, with the flags and argument rules (and
// error texts) of BuildKit's instructions package, which dockerd's classic builder also uses.
// Nothing here expands variables: that needs the build state (expand.ts, evaluate.ts).
import { InvalidArgument } from '../errors/index.ts';
import { parseGoDuration, parseInt as goParseInt } from '../lib/index.ts';
import type { HealthConfig } from '../types/index.ts';
import { InstructionFlags, withSuggestion } from './flags.ts';
import type { CheckDirective } from './directives.ts';
import { lint, type LintWarning } from './lint.ts';
import { chompHeredocContent, DockerfileParseError, parseDockerfile, parseHeredoc, type Heredoc, type InstructionNode, type ParseResult } from './parser.ts';
import { parseNetworkMode, precheckMount, type NetworkMode } from './run-mount.ts';

export interface KeyValue {
  key: string;
  value: string;
  /** Written in the legacy `KEY value` form. */
  noDelim: boolean;
}

/** A heredoc used as a COPY/ADD source: a file made from the Dockerfile's text. */
export interface SourceContent {
  path: string;
  data: string;
  expand: boolean;
}

/** A heredoc a RUN/CMD/ENTRYPOINT line refers to. */
export interface InlineFile {
  name: string;
  data: string;
  chomp: boolean;
}

interface Common {
  /** The keyword as written. */
  keyword: string;
  /** The source of the instruction, trimmed: what `Step N/M :` prints. */
  code: string;
  line: number;
  endLine: number;
}

export interface EnvInstruction extends Common {
  kind: 'env';
  env: KeyValue[];
}
export interface MaintainerInstruction extends Common {
  kind: 'maintainer';
  maintainer: string;
}
export interface LabelInstruction extends Common {
  kind: 'label';
  labels: KeyValue[];
  /** Labels from `--label` on the command line are taken as given. */
  noExpand: boolean;
}
interface CopyLike extends Common {
  sources: string[];
  contents: SourceContent[];
  dest: string;
  chown: string;
  chmod: string;
  link: boolean;
  exclude: string[];
}
export interface AddInstruction extends CopyLike {
  kind: 'add';
  checksum: string;
  keepGitDir?: boolean;
  unpack?: boolean;
}
export interface CopyInstruction extends CopyLike {
  kind: 'copy';
  from: string;
  parents: boolean;
}
export interface OnbuildInstruction extends Common {
  kind: 'onbuild';
  /** The trigger as it is stored in the image's OnBuild list. */
  expression: string;
}
export interface WorkdirInstruction extends Common {
  kind: 'workdir';
  path: string;
}
interface ShellDependent extends Common {
  /** Exec form: the array; shell form: one string (the shell is prepended when dispatched). */
  cmdLine: string[];
  prependShell: boolean;
  files: InlineFile[];
}
export interface RunInstruction extends ShellDependent {
  kind: 'run';
  /** The --mount values as written; parsed when the stage's variables are known. */
  mounts: string[];
  network: NetworkMode;
  flagsUsed: string[];
}
export interface CmdInstruction extends ShellDependent {
  kind: 'cmd';
}
export interface EntrypointInstruction extends Omit<ShellDependent, 'cmdLine'> {
  kind: 'entrypoint';
  /** null for `ENTRYPOINT []` or an empty shell form: the entrypoint is reset. */
  cmdLine: string[] | null;
}
export interface HealthcheckInstruction extends Common {
  kind: 'healthcheck';
  health: HealthConfig;
}
export interface ExposeInstruction extends Common {
  kind: 'expose';
  ports: string[];
}
export interface UserInstruction extends Common {
  kind: 'user';
  user: string;
}
export interface VolumeInstruction extends Common {
  kind: 'volume';
  volumes: string[];
}
export interface StopSignalInstruction extends Common {
  kind: 'stopsignal';
  signal: string;
}
export interface ArgInstruction extends Common {
  kind: 'arg';
  args: Array<{ key: string; value?: string }>;
}
export interface ShellInstruction extends Common {
  kind: 'shell';
  shell: string[];
}

export type Command =
  | EnvInstruction
  | MaintainerInstruction
  | LabelInstruction
  | AddInstruction
  | CopyInstruction
  | OnbuildInstruction
  | WorkdirInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | HealthcheckInstruction
  | ExposeInstruction
  | UserInstruction
  | VolumeInstruction
  | StopSignalInstruction
  | ArgInstruction
  | ShellInstruction;

export interface FromInstruction extends Common {
  kind: 'from';
  /** The image or stage name, before expansion. */
  baseName: string;
  /** The stage name from `AS name`, lower-cased; "" when none. */
  name: string;
  /** The --platform value, before expansion; "" when none. */
  platform: string;
}

export interface Stage extends FromInstruction {
  commands: Command[];
}

export interface Dockerfile {
  stages: Stage[];
  /** ARG instructions before the first FROM. */
  metaArgs: ArgInstruction[];
  escapeToken: '\\' | '`';
  /** Parse-time warnings; the stages' own come when they are evaluated. */
  warnings: LintWarning[];
  syntax?: string;
  /** `# check=`: which warnings to drop, and whether the rest fail the build (applyCheckDirective). */
  check?: CheckDirective;
}

const instructionNames = ['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

const atLeastOne = (kw: string) => new InvalidArgument(`${kw} requires at least one argument`);
const exactlyOne = (kw: string) => new InvalidArgument(`${kw} requires exactly one argument`);
const noDestination = (kw: string) => new InvalidArgument(`${kw} requires at least two arguments, but only one was provided. Destination could not be determined`);

/** The arguments of a node as BuildKit's nodeArgs lists them (ONBUILD: the trigger's keyword first). */
function nodeArgs(node: InstructionNode): string[] {
  return node.trigger ? [node.trigger.keyword, ...nodeArgs(node.trigger)] : node.args;
}

function common(node: InstructionNode): Common {
  return { keyword: node.keyword, code: node.original.trim(), line: node.startLine, endLine: node.endLine };
}

function keyValues(args: string[], kw: string): KeyValue[] {
  if (args.length === 0) throw atLeastOne(kw);
  if (args.length % 3 !== 0) throw new InvalidArgument(`Bad input to ${kw}, too many arguments`);
  const out: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i].length === 0) throw new InvalidArgument(`${kw} names can not be blank`);
    out.push({ key: args[i], value: args[i + 1], noDelim: args[i + 2] === '' });
  }
  return out;
}

/** Shell form: the words joined into one string; exec form: the array as is. */
function cmdLine(args: string[], json: boolean): string[] {
  if (args.length === 0) return [];
  return json ? args : [args.join(' ')];
}

function inlineFiles(heredocs: Heredoc[]): InlineFile[] {
  return heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp }));
}

function sourcesAndDest(node: InstructionNode, args: string[], kw: string): Pick<CopyLike, 'sources' | 'contents' | 'dest'> {
  const dest = args[args.length - 1];
  if (parseHeredoc(dest)) throw new InvalidArgument(`${kw} cannot accept a heredoc as a destination`);
  const byName = new Map(node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const contents: SourceContent[] = [];
  for (const src of args.slice(0, -1)) {
    const heredoc = parseHeredoc(src);
    if (!heredoc) {
      sources.push(src);
      continue;
    }
    const body = byName.get(heredoc.name)?.content ?? '';
    contents.push({ path: heredoc.name, data: heredoc.chomp ? chompHeredocContent(body) : body, expand: heredoc.expand });
  }
  return { sources, contents, dest };
}

/** Durations of HEALTHCHECK options: 0 when absent or zero, at least 1ms otherwise. */
function interval(name: string, value: string): number {
  if (value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === 0n) return 0;
  if (ns < 1_000_000n) throw new InvalidArgument(`Interval "${name}" cannot be less than 1ms`);
  return Number(ns);
}

const validStageName = /^[a-z][a-z0-9-_.]*$/;

/** One node → its typed instruction. Errors carry BuildKit's text (the caller adds the line). */
export function parseInstruction(node: InstructionNode): Command | FromInstruction {
  const flags = new InstructionFlags(node.flags);
  const args = nodeArgs(node);
  const base = common(node);
  switch (node.keyword.toLowerCase()) {
    case 'env':
      flags.parse();
      return { ...base, kind: 'env', env: keyValues(args, 'ENV') };
    case 'maintainer':
      if (args.length !== 1) throw exactlyOne('MAINTAINER');
      flags.parse();
      return { ...base, kind: 'maintainer', maintainer: args[0] };
    case 'label':
      flags.parse();
      return { ...base, kind: 'label', labels: keyValues(args, 'LABEL'), noExpand: false };
    case 'add': {
      if (args.length < 2) throw noDestination('ADD');
      const chown = flags.string('chown');
      const chmod = flags.string('chmod');
      const link = flags.bool('link');
      const keepGitDir = flags.bool('keep-git-dir');
      const checksum = flags.string('checksum');
      const unpack = flags.bool('unpack');
      const exclude = flags.strings('exclude');
      flags.parse();
      return {
        ...base,
        kind: 'add',
        ...sourcesAndDest(node, args, 'ADD'),
        chown: chown(),
        chmod: chmod(),
        link: link(),
        checksum: checksum(),
        exclude: exclude(),
        ...(flags.used('keep-git-dir') ? { keepGitDir: keepGitDir() } : {}),
        ...(flags.used('unpack') ? { unpack: unpack() } : {}),
      };
    }
    case 'copy': {
      if (args.length < 2) throw noDestination('COPY');
      const chown = flags.string('chown');
      const from = flags.string('from');
      const chmod = flags.string('chmod');
      const link = flags.bool('link');
      const exclude = flags.strings('exclude');
      const parents = flags.bool('parents');
      flags.parse();
      return {
        ...base,
        kind: 'copy',
        ...sourcesAndDest(node, args, 'COPY'),
        from: from(),
        chown: chown(),
        chmod: chmod(),
        link: link(),
        parents: parents(),
        exclude: exclude(),
      };
    }
    case 'from': {
      let name = '';
      if (args.length === 3 && args[1].toLowerCase() === 'as') {
        name = args[2].toLowerCase();
        if (!validStageName.test(name)) throw new InvalidArgument(`invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`);
      } else if (args.length !== 1) {
        throw new InvalidArgument('FROM requires either one or three arguments');
      }
      const platform = flags.string('platform');
      flags.parse();
      return { ...base, kind: 'from', baseName: args[0], name, platform: platform() };
    }
    case 'onbuild': {
      if (args.length === 0) throw atLeastOne('ONBUILD');
      flags.parse();
      const trigger = args[0].trim().toUpperCase();
      if (trigger === 'ONBUILD') throw new InvalidArgument('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new InvalidArgument(`${trigger} isn't allowed as an ONBUILD trigger`);
      let expression = node.original.replace(/^\s*ONBUILD\s*/i, '');
      for (const h of node.heredocs) expression += `\n${h.content}${h.name}`;
      return { ...base, kind: 'onbuild', expression };
    }
    case 'workdir':
      if (args.length !== 1) throw exactlyOne('WORKDIR');
      flags.parse();
      return { ...base, kind: 'workdir', path: args[0] };
    case 'run': {
      const mount = flags.strings('mount');
      const network = flags.string('network', 'default');
      flags.parse();
      for (const m of mount()) precheckMount(m);
      return {
        ...base,
        kind: 'run',
        cmdLine: cmdLine(args, node.json),
        prependShell: !node.json,
        files: inlineFiles(node.heredocs),
        mounts: mount(),
        network: parseNetworkMode(network()),
        flagsUsed: flags.usedNames(),
      };
    }
    case 'cmd':
      flags.parse();
      return { ...base, kind: 'cmd', cmdLine: cmdLine(args, node.json), prependShell: !node.json, files: inlineFiles(node.heredocs) };
    case 'entrypoint': {
      flags.parse();
      const line = cmdLine(args, node.json);
      return { ...base, kind: 'entrypoint', cmdLine: line.length === 0 ? null : line, prependShell: !node.json, files: inlineFiles(node.heredocs) };
    }
    case 'healthcheck':
      return { ...base, kind: 'healthcheck', health: parseHealthcheck(args, node.json, flags) };
    case 'expose':
      if (args.length === 0) throw atLeastOne('EXPOSE');
      flags.parse();
      return { ...base, kind: 'expose', ports: [...args].sort() };
    case 'user':
      if (args.length !== 1) throw exactlyOne('USER');
      flags.parse();
      return { ...base, kind: 'user', user: args[0] };
    case 'volume': {
      if (args.length === 0) throw atLeastOne('VOLUME');
      flags.parse();
      const volumes = args.map((v) => v.trim());
      if (volumes.some((v) => v === '')) throw new InvalidArgument('VOLUME specified can not be an empty string');
      return { ...base, kind: 'volume', volumes };
    }
    case 'stopsignal':
      if (args.length !== 1) throw exactlyOne('STOPSIGNAL');
      // BuildKit ignores flags here; Berth refuses them rather than accept options it ignores.
      flags.parse();
      return { ...base, kind: 'stopsignal', signal: args[0] };
    case 'arg': {
      if (args.length < 1) throw atLeastOne('ARG');
      flags.parse();
      return {
        ...base,
        kind: 'arg',
        args: args.map((a) => {
          const eq = a.indexOf('=');
          if (eq < 0) return { key: a };
          if (eq === 0) throw new InvalidArgument('ARG names can not be blank');
          return { key: a.slice(0, eq), value: a.slice(eq + 1) };
        }),
      };
    }
    case 'shell': {
      flags.parse();
      const shell = cmdLine(args, node.json);
      if (shell.length === 0) throw atLeastOne('SHELL');
      if (!node.json) throw new InvalidArgument('SHELL requires the arguments to be in JSON form');
      return { ...base, kind: 'shell', shell };
    }
    default:
      throw new InvalidArgument(withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, instructionNames, false));
  }
}

function parseHealthcheck(args: string[], json: boolean, flags: InstructionFlags): HealthConfig {
  if (args.length === 0) throw atLeastOne('HEALTHCHECK');
  const type = args[0].toUpperCase();
  const rest = args.slice(1);
  if (type === 'NONE') {
    if (rest.length !== 0) throw new InvalidArgument('HEALTHCHECK NONE takes no arguments');
    // BuildKit does not read flags for NONE; Berth refuses them instead of ignoring them.
    flags.parse();
    return { Test: ['NONE'] };
  }
  const intervalFlag = flags.string('interval');
  const timeout = flags.string('timeout');
  const startPeriod = flags.string('start-period');
  const startInterval = flags.string('start-interval');
  const retries = flags.string('retries');
  flags.parse();
  if (type !== 'CMD') throw new InvalidArgument(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const cmd = cmdLine(rest, json);
  if (cmd.length === 0) throw new InvalidArgument('Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = {
    Test: [json ? 'CMD' : 'CMD-SHELL', ...cmd],
    Interval: interval('interval', intervalFlag()),
    Timeout: interval('timeout', timeout()),
    StartPeriod: interval('start-period', startPeriod()),
    StartInterval: interval('start-interval', startInterval()),
    Retries: 0,
  };
  if (retries() !== '') {
    const n = Number(goParseInt(retries(), 32));
    if (n < 0) throw new InvalidArgument(`--retries cannot be negative (${n})`);
    health.Retries = n;
  }
  return health;
}

/** Error of an instruction, located as BuildKit locates it ("dockerfile parse error on line N: …"). */
function located(node: InstructionNode, err: unknown): never {
  if (err instanceof DockerfileParseError) throw err;
  throw new DockerfileParseError((err as Error).message, node.startLine);
}

/**
 * A Dockerfile (text or parse result) → meta args and stages, each stage with its commands.
 * Parse-time lint warnings (casing, MAINTAINER, empty continuation lines) are collected.
 */
export function parseStages(input: string | Uint8Array | ParseResult): Dockerfile {
  const parsed = typeof input === 'string' || input instanceof Uint8Array ? parseDockerfile(input) : input;
  const stages: Stage[] = [];
  const metaArgs: ArgInstruction[] = [];
  const warnings: LintWarning[] = parsed.warnings
    .filter((w) => w.rule === 'NoEmptyContinuation')
    .map((w) => lint('NoEmptyContinuation', w.line));
  if (parsed.syntax !== undefined) warnings.push(lint('SyntaxDirectiveIgnored', 1, parsed.syntax));
  let upper = 0;
  let lower = 0;
  for (const node of parsed.instructions) {
    if (node.keyword === node.keyword.toUpperCase()) upper++;
    else if (node.keyword === node.keyword.toLowerCase()) lower++;
  }
  const majorityLower = lower > upper;
  for (const node of parsed.instructions) {
    let ins: Command | FromInstruction;
    try {
      ins = parseInstruction(node);
    } catch (err) {
      located(node, err);
    }
    const casing = majorityLower ? node.keyword.toLowerCase() : node.keyword.toUpperCase();
    if (node.keyword !== casing) warnings.push(lint('ConsistentInstructionCasing', node.startLine, node.keyword, majorityLower ? 'lowercase' : 'uppercase'));
    if (ins.kind === 'from') {
      const args = node.args;
      if (args.length === 3 && args[2] !== args[2].toLowerCase()) warnings.push(lint('StageNameCasing', node.startLine, args[2]));
      const fromLower = node.keyword === node.keyword.toLowerCase();
      const fromUpper = node.keyword === node.keyword.toUpperCase();
      if (args.length === 3 && (fromLower || fromUpper) && args[1] !== (fromLower ? args[1].toLowerCase() : args[1].toUpperCase())) {
        warnings.push(lint('FromAsCasing', node.startLine, node.keyword, args[1]));
      }
      if (ins.name === 'scratch' || ins.name === 'context') warnings.push(lint('ReservedStageName', node.startLine, ins.name));
      stages.push({ ...ins, commands: [] });
      continue;
    }
    if (ins.kind === 'maintainer') warnings.push(lint('MaintainerDeprecated', node.startLine));
    if ((ins.kind === 'env' || ins.kind === 'label') && (ins.kind === 'env' ? ins.env : ins.labels).some((kv) => kv.noDelim)) {
      warnings.push(lint('LegacyKeyValueFormat', node.startLine, node.keyword));
    }
    if (stages.length === 0) {
      if (ins.kind === 'arg') {
        metaArgs.push(ins);
        continue;
      }
      throw new DockerfileParseError('no build stage in current context', node.startLine);
    }
    stages[stages.length - 1].commands.push(ins);
  }
  for (const stage of stages) {
    for (const kind of ['cmd', 'entrypoint', 'healthcheck'] as const) {
      const uses = stage.commands.filter((c) => c.kind === kind);
      for (const c of uses.slice(0, -1)) warnings.push(lint('MultipleInstructionsDisallowed', c.line, c.keyword));
    }
  }
  return {
    stages,
    metaArgs,
    escapeToken: parsed.escapeToken,
    warnings, ...(parsed.syntax !== undefined ? { syntax: parsed.syntax } : {}),
    ...(parsed.check ? { check: parsed.check } : {}),
  };
}

/** `--label k=v` from the command line: a LABEL appended to the last stage, its value not expanded. */
export function labelInstruction(key: string, value: string): LabelInstruction {
  return { kind: 'label', keyword: 'LABEL', code: `LABEL ${key}=${value}`, line: 0, endLine: 0, labels: [{ key, value, noDelim: false }], noExpand: true };
}
