// One stage, instruction by instruction, as a pure state machine: variables are expanded the way
// dockerd's classic builder expands them (the config's Env plus the stage's allowed build args),
// metadata instructions change the image config, and every instruction becomes a step plan that
// says what the execution phase must do (commit an empty layer, run a container, copy files,
// create a directory) and what dockerd records for it (config, container_config, created_by).
//
// What needs the file system or a container is not here: resolving `--chown` names, hashing the
// files COPY reads, running RUN. The plans carry everything those need.
import { posix } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';
import { byteOrder, parseSignal } from '../lib/index.ts';
import { emptyContainerConfig, type ContainerConfig, type HealthConfig } from '../types/index.ts';
import type { BuildArgs } from './build-args.ts';
import { exposedPortKeys } from './expose.ts';
import { copyMessage, createdBy, goList, goQuoteHealthcheck, goQuoteList, nopCommand, nopCommandString } from './history.ts';
import type { AddInstruction, Command, CopyInstruction, RunInstruction } from './instructions.ts';
import { lint, type LintWarning } from './lint.ts';
import { chompHeredocContent, parseHeredoc } from './parser.ts';
import { parseMount, type CacheSharing, type NetworkMode } from './run-mount.ts';
import { envFromList, ShellLexer } from './shell-lexer.ts';

export const defaultShell: readonly string[] = ['/bin/sh', '-c'];
export const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where COPY --from or RUN --mount reads from. */
export type SourceRef = { kind: 'context' } | { kind: 'stage'; index: number; name: string } | { kind: 'image'; ref: string };

export type ResolvedMount =
  | { type: 'bind'; from: SourceRef; source: string; target: string; readOnly: boolean }
  | {
      type: 'cache';
      id: string;
      sharing: CacheSharing;
      /** Initial content: a stage or image path, or undefined for an empty directory. */
      from?: SourceRef;
      source: string;
      target: string;
      readOnly: boolean;
      uid?: number;
      gid?: number;
      mode?: number;
    }
  | { type: 'tmpfs'; target: string; sizeLimit: number }
  | { type: 'secret'; id: string; target?: string; env?: string; required: boolean; uid: number; gid: number; mode: number };

/** A file a RUN step mounts for its heredoc script (`RUN <<EOF` whose body starts with `#!`). */
export interface InlineRunFile {
  path: string;
  data: string;
  mode: number;
}

interface StepCommon {
  /** What `Step N/M :` prints. */
  code: string;
  line: number;
  /** The image config after this step. Its Image is the parent's ID, which the executor sets. */
  config: ContainerConfig;
  /** MAINTAINER so far: the history entry's and the image's author. */
  author: string;
  /** Lines dockerd prints for the step ("Note: overriding previous HEALTHCHECK: …"). */
  notes: string[];
  /** Canonical description of the step for its cache key (see cache-key.ts). */
  cacheText: string;
  /** `KEY=value` build args that reach the step and belong in its identity (RUN only). */
  buildArgsInUse: string[];
}

/** A metadata-only instruction: commit the config with an empty layer. */
export interface MetadataStep extends StepCommon {
  kind: 'metadata';
  containerConfig: ContainerConfig;
  createdBy: string;
}

/** WORKDIR: create the directory (owned by root, as dockerd does) and commit what changed. */
export interface WorkdirStep extends StepCommon {
  kind: 'workdir';
  path: string;
  containerConfig: ContainerConfig;
  createdBy: string;
}

export interface RunStep extends StepCommon {
  kind: 'run';
  containerConfig: ContainerConfig;
  createdBy: string;
  /** The process to run: the shell form already wrapped in the stage's SHELL. */
  args: string[];
  /** The config's Env plus the build args the stage allows (build args never reach the image). */
  env: string[];
  user: string;
  workingDir: string;
  mounts: ResolvedMount[];
  network: NetworkMode;
  inlineFiles: InlineRunFile[];
}

export interface CopyStep extends StepCommon {
  kind: 'copy';
  instructionName: 'COPY' | 'ADD';
  /** Source paths or URLs, expanded, as written (relative to the context or the --from root). */
  sources: string[];
  /** Files made from heredocs: name and (expanded unless the delimiter was quoted) content. */
  contents: Array<{ path: string; data: string }>;
  /** The destination as written (expanded); destPath is it made absolute against WORKDIR. */
  dest: string;
  destPath: string;
  from: SourceRef;
  /** `--chown` as written (expanded); names are resolved against the image's /etc/passwd and /etc/group. */
  chown: string;
  chmod?: number;
  /** Keep the source's owners (COPY --from without --chown). */
  preserveOwnership: boolean;
  link: boolean;
  parents: boolean;
  exclude: string[];
  /** ADD: http(s) sources are downloaded, local archives unpacked. */
  checksum?: string;
  unpack?: boolean;
  /** The shell the history comment is written with (see copyCommit). */
  shell: string[];
}

export type StepPlan = MetadataStep | WorkdirStep | RunStep | CopyStep;

/** A failure of one instruction; the message is dockerd's, the line says where. */
export class InstructionError extends InvalidArgument {
  readonly line: number;
  constructor(message: string, line: number, options?: { cause?: unknown }) {
    super(message, options);
    this.line = line;
  }
}

export interface StageEvaluatorOptions {
  args: BuildArgs;
  escapeToken: '\\' | '`';
  /** The config the stage starts from, used as is (see beginStageConfig for FROM). */
  config: ContainerConfig;
  /** How COPY --from and RUN --mount from= names resolve; without it only the context exists. */
  resolveSource?: (nameOrIndex: string) => SourceRef;
}

/** The config a stage starts from: the base image's, PATH defaulted, stdin options off. */
export function beginStageConfig(base: Partial<ContainerConfig> | null | undefined, baseImageId: string): ContainerConfig {
  const config: ContainerConfig = { ...emptyContainerConfig(), ...structuredClone(base ?? {}) };
  if (!(config.Env ?? []).some((e) => e.split('=', 1)[0] === 'PATH')) config.Env = [...(config.Env ?? []), defaultPathEnv];
  config.OpenStdin = false;
  config.StdinOnce = false;
  config.Image = baseImageId;
  return config;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const isGit = (s: string) => /^git@|^git:\/\/|^(ssh|https?):\/\/.*\.git(#.*)?$/i.test(s);

/** Canonical JSON: keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return Object.fromEntries(entries.sort(([a], [b]) => byteOrder(a, b)));
    }
    return v;
  });
}

export class StageEvaluator {
  readonly #args: BuildArgs;
  readonly #lex: ShellLexer;
  readonly #resolveSource: (nameOrIndex: string) => SourceRef;
  #config: ContainerConfig;
  #cmdSet = false;
  #maintainer = '';
  #workdirSet = false;
  readonly warnings: LintWarning[] = [];

  constructor(options: StageEvaluatorOptions) {
    this.#args = options.args;
    this.#lex = new ShellLexer(options.escapeToken);
    this.#config = structuredClone(options.config);
    this.#resolveSource =
      options.resolveSource ??
      ((name) => {
        throw new InvalidArgument(`invalid from flag value ${name}: no build stage or image can be used here`);
      });
  }

  get config(): ContainerConfig {
    return structuredClone(this.#config);
  }

  get args(): BuildArgs {
    return this.#args;
  }

  #shell(): string[] {
    return this.#config.Shell && this.#config.Shell.length > 0 ? [...this.#config.Shell] : [...defaultShell];
  }

  /** The variables an instruction expands with: Env, then the allowed args Env does not set. */
  #envs(): string[] {
    const env = this.#config.Env ?? [];
    return [...env, ...this.#args.filterAllowed(env)];
  }

  #expander(): (word: string) => string {
    const env = envFromList(this.#envs());
    return (word) => this.#lex.processWord(word, env).result;
  }

  /** Plans one instruction and applies it to the stage's config. */
  dispatch(cmd: Command): StepPlan {
    try {
      return this.#dispatch(cmd);
    } catch (err) {
      if (err instanceof InstructionError || !(err instanceof Error)) throw err;
      throw new InstructionError(err.message, cmd.line, { cause: err });
    }
  }

  #common(cmd: Command, notes: string[] = []): Omit<StepCommon, 'cacheText'> {
    return { code: cmd.code, line: cmd.line, config: this.config, author: this.#maintainer, notes, buildArgsInUse: [] };
  }

  #metadata(cmd: Command, message: string, notes: string[] = []): MetadataStep {
    const cmdLine = nopCommand(this.#shell(), message);
    const containerConfig = { ...this.config, Cmd: cmdLine };
    const common = this.#common(cmd, notes);
    return { kind: 'metadata', ...common, containerConfig, createdBy: createdBy(cmdLine), cacheText: canonicalJson({ kind: 'metadata', cmd: cmdLine, config: common.config }) };
  }

  #dispatch(cmd: Command): StepPlan {
    const c = this.#config;
    switch (cmd.kind) {
      case 'env': {
        const expand = this.#expander();
        const env = [...(c.Env ?? [])];
        const parts: string[] = [];
        for (const kv of cmd.env) {
          const entry = `${expand(kv.key)}=${expand(kv.value)}`;
          const key = entry.split('=', 1)[0];
          parts.push(entry);
          const i = env.findIndex((e) => e.split('=', 1)[0] === key);
          if (i >= 0) env[i] = entry;
          else env.push(entry);
        }
        c.Env = env;
        return this.#metadata(cmd, `ENV ${parts.join(' ')}`);
      }
      case 'maintainer':
        this.#maintainer = cmd.maintainer;
        return this.#metadata(cmd, `MAINTAINER ${cmd.maintainer}`);
      case 'label': {
        const expand = cmd.noExpand ? (w: string) => w : this.#expander();
        const labels = { ...(c.Labels ?? {}) };
        const parts: string[] = [];
        for (const kv of cmd.labels) {
          const key = expand(kv.key);
          const value = expand(kv.value);
          labels[key] = value;
          parts.push(`${key}=${value}`);
        }
        c.Labels = labels;
        return this.#metadata(cmd, `LABEL ${parts.join(' ')}`);
      }
      case 'add':
      case 'copy':
        return this.#copy(cmd);
      case 'onbuild':
        c.OnBuild = [...(c.OnBuild ?? []), cmd.expression];
        return this.#metadata(cmd, `ONBUILD ${cmd.expression}`);
      case 'workdir': {
        const requested = this.#expander()(cmd.path);
        if (requested === '') throw new InvalidArgument('cannot normalize nothing');
        if (!requested.startsWith('/') && !this.#workdirSet) this.warnings.push(lint('WorkdirRelativePath', cmd.line, requested));
        this.#workdirSet = true;
        c.WorkingDir = requested.startsWith('/') ? requested : posix.join('/', c.WorkingDir || '/', requested);
        const cmdLine = nopCommandString(this.#shell(), `WORKDIR ${c.WorkingDir}`);
        const common = this.#common(cmd);
        const containerConfig = { ...common.config, Cmd: cmdLine };
        return { kind: 'workdir', ...common, path: c.WorkingDir, containerConfig, createdBy: createdBy(cmdLine), cacheText: canonicalJson({ kind: 'workdir', cmd: cmdLine, config: common.config }) };
      }
      case 'run':
        return this.#run(cmd);
      case 'cmd': {
        const line = cmd.prependShell ? [...this.#shell(), ...cmd.cmdLine] : [...cmd.cmdLine];
        if (cmd.prependShell && !(c.Shell && c.Shell.length > 0)) this.warnings.push(lint('JSONArgsRecommended', cmd.line, cmd.keyword));
        c.Cmd = line;
        delete c.ArgsEscaped;
        if (cmd.cmdLine.length > 0) this.#cmdSet = true;
        return this.#metadata(cmd, `CMD ${goQuoteList(line)}`);
      }
      case 'entrypoint': {
        let line: string[] | null = cmd.cmdLine;
        if (line && cmd.prependShell) {
          if (!(c.Shell && c.Shell.length > 0)) this.warnings.push(lint('JSONArgsRecommended', cmd.line, cmd.keyword));
          line = [...this.#shell(), ...line];
        }
        c.Entrypoint = line ? [...line] : null;
        delete c.ArgsEscaped;
        // An inherited CMD means nothing to a new ENTRYPOINT, unless this build set one.
        if (!this.#cmdSet) c.Cmd = null;
        return this.#metadata(cmd, `ENTRYPOINT ${goQuoteList(c.Entrypoint)}`);
      }
      case 'healthcheck': {
        const notes: string[] = [];
        const old = c.Healthcheck?.Test;
        if (old && old.length > 0 && old[0] !== 'NONE') notes.push(`Note: overriding previous HEALTHCHECK: ${goList(old)}`);
        c.Healthcheck = compactHealth(cmd.health);
        return this.#metadata(cmd, `HEALTHCHECK ${goQuoteHealthcheck(cmd.health)}`, notes);
      }
      case 'expose': {
        const env = envFromList(this.#envs());
        const ports = cmd.ports.flatMap((p) => this.#lex.processWords(p, env));
        const exposed = { ...(c.ExposedPorts ?? {}) };
        for (const key of exposedPortKeys(ports)) exposed[key] = {};
        c.ExposedPorts = exposed;
        return this.#metadata(cmd, `EXPOSE ${ports.join(' ')}`);
      }
      case 'user':
        c.User = this.#expander()(cmd.user);
        return this.#metadata(cmd, `USER ${c.User}`);
      case 'volume': {
        const expand = this.#expander();
        const volumes = cmd.volumes.map(expand);
        const map = { ...(c.Volumes ?? {}) };
        for (const v of volumes) {
          if (v === '') throw new InvalidArgument('VOLUME specified can not be an empty string');
          map[v] = {};
        }
        c.Volumes = map;
        return this.#metadata(cmd, `VOLUME ${goList(volumes)}`);
      }
      case 'stopsignal': {
        const signal = this.#expander()(cmd.signal);
        parseSignal(signal);
        c.StopSignal = signal;
        return this.#metadata(cmd, `STOPSIGNAL ${signal}`);
      }
      case 'arg': {
        const expand = this.#expander();
        const parts: string[] = [];
        for (const arg of cmd.args) {
          const key = expand(arg.key);
          const value = arg.value === undefined ? undefined : expand(arg.value);
          parts.push(value === undefined ? key : `${key}=${value}`);
          this.#args.addArg(key, value);
        }
        return this.#metadata(cmd, `ARG ${parts.join(' ')}`);
      }
      case 'shell':
        c.Shell = [...cmd.shell];
        return this.#metadata(cmd, `SHELL ${goList(c.Shell)}`);
    }
  }

  #run(cmd: RunInstruction): RunStep {
    const c = this.#config;
    const expand = this.#expander();
    const mounts = cmd.mounts.map((m) => this.#resolveMount(parseMount(m, expand)));
    let args = [...cmd.cmdLine];
    const inlineFiles: InlineRunFile[] = [];
    if (cmd.files.length > 0) {
      if (args.length !== 1 || !cmd.prependShell) throw new InvalidArgument(`parsing produced an invalid run command: ${goList(args)}`);
      if (parseHeredoc(args[0])) {
        // A RUN that is only a heredoc runs the heredoc: as a script file when it has a #! line,
        // else as the shell's command string.
        const file = cmd.files[0];
        const data = file.chomp ? chompHeredocContent(file.data) : file.data;
        if (data.startsWith('#!')) {
          const path = posix.join('/dev/pipes', file.name);
          inlineFiles.push({ path, data, mode: 0o755 });
          args = [path];
        } else {
          args = [data];
        }
      } else {
        args = [args[0] + cmd.files.map((f) => `\n${f.data}${f.name}`).join('')];
      }
    }
    if (args.length === 0) throw new InvalidArgument('RUN requires at least one argument');
    const runArgs = cmd.prependShell ? [...this.#shell(), ...args] : args;
    const buildArgs = this.#args.filterAllowed(c.Env);
    const inUse = buildArgs.filter((e) => this.#args.isReferencedOrNotBuiltin(e.split('=', 1)[0])).sort();
    // dockerd records the build args a RUN saw in its Cmd ("|2 A=1 B=2 /bin/sh -c …"), so that
    // the history and the cache tell builds with different values apart.
    const saveCmd = buildArgs.length > 0 ? [`|${inUse.length}`, ...inUse, ...runArgs] : runArgs;
    const common = this.#common(cmd);
    const containerConfig: ContainerConfig = { ...common.config, Cmd: saveCmd, Entrypoint: null };
    delete containerConfig.ArgsEscaped;
    return {
      kind: 'run',
      ...common,
      buildArgsInUse: inUse,
      containerConfig,
      createdBy: createdBy(saveCmd),
      args: runArgs,
      env: [...(c.Env ?? []), ...buildArgs],
      user: c.User,
      workingDir: c.WorkingDir,
      mounts,
      network: cmd.network,
      inlineFiles,
      cacheText: canonicalJson({ kind: 'run', cmd: saveCmd, config: common.config, mounts, network: cmd.network, inlineFiles }),
    };
  }

  #resolveMount(m: ReturnType<typeof parseMount>): ResolvedMount {
    const workdir = this.#config.WorkingDir || '/';
    const target = (t: string) => {
      const abs = posix.isAbsolute(posix.normalize(t || '.')) ? t : posix.join('/', workdir, t);
      if (posix.normalize(abs) === '/') throw new InvalidArgument(`invalid mount target ${JSON.stringify(posix.normalize(abs))}`);
      return abs;
    };
    const source = posix.join('/', m.source);
    switch (m.type) {
      case 'bind':
        return { type: 'bind', from: m.from === '' ? { kind: 'context' } : this.#resolveSource(m.from), source, target: target(m.target), readOnly: m.readOnly };
      case 'cache':
        return {
          type: 'cache',
          id: m.cacheId || posix.normalize(m.target || '.'),
          sharing: m.cacheSharing || 'shared',
          ...(m.from === '' ? {} : { from: this.#resolveSource(m.from) }),
          source,
          target: target(m.target),
          readOnly: m.readOnly,
          ...(m.uid !== undefined ? { uid: m.uid } : {}),
          ...(m.gid !== undefined ? { gid: m.gid } : {}),
          ...(m.mode !== undefined ? { mode: m.mode } : {}),
        };
      case 'tmpfs':
        return { type: 'tmpfs', target: target(m.target), sizeLimit: m.sizeLimit };
      case 'secret': {
        let id = m.source || m.cacheId;
        if (id === '') {
          if (m.target === '') throw new InvalidArgument('one of source, target required');
          id = posix.basename(m.target);
        }
        const dest = m.target !== '' ? m.target : m.env === undefined ? `/run/secrets/${posix.basename(id)}` : undefined;
        return {
          type: 'secret',
          id,
          ...(dest !== undefined ? { target: target(dest) } : {}),
          ...(m.env !== undefined ? { env: m.env } : {}),
          required: m.required,
          uid: m.uid ?? 0,
          gid: m.gid ?? 0,
          mode: m.mode ?? 0o400,
        };
      }
      default:
        throw new InvalidArgument(`unsupported mount type "${m.type}"`);
    }
  }

  #copy(cmd: AddInstruction | CopyInstruction): CopyStep {
    const c = this.#config;
    const expand = this.#expander();
    const isAdd = cmd.kind === 'add';
    const chown = expand(cmd.chown);
    const chmodText = expand(cmd.chmod);
    const sources = cmd.sources.map(expand);
    const dest = expand(cmd.dest);
    let chmod: number | undefined;
    if (chmodText !== '') {
      if (!/^[0-7]+$/.test(chmodText) || Number.parseInt(chmodText, 8) > 0o7777) {
        throw new InvalidArgument(`invalid chmod parameter: '${chmodText}'. it should be octal string and between 0 and 07777`);
      }
      chmod = Number.parseInt(chmodText, 8);
    }
    let checksum: string | undefined;
    if (isAdd) {
      checksum = expand(cmd.checksum) || undefined;
      if (checksum !== undefined) {
        if (sources.length !== 1) throw new InvalidArgument("checksum can't be specified for multiple sources");
        if (!isUrl(sources[0]) && !isGit(sources[0])) throw new InvalidArgument('checksum requires HTTP(S) or Git sources');
        if (!/^sha256:[0-9a-f]{64}$/.test(checksum)) throw new InvalidArgument(`invalid checksum digest format: ${checksum}`);
      }
      for (const src of sources) if (isGit(src)) throw new InvalidArgument(`ADD from a git repository is not supported: ${src}`);
      if (cmd.keepGitDir !== undefined) throw new InvalidArgument('--keep-git-dir applies only to git sources, which ADD does not support here');
    } else {
      for (const src of sources) if (isUrl(src)) throw new InvalidArgument("source can't be a URL for COPY");
    }
    if (sources.length === 0 && cmd.contents.length === 0) throw new InvalidArgument('no source files were specified');
    const heredocEnv = envFromList(this.#envs());
    const rawLex = new ShellLexer('\\', { skipProcessQuotes: true });
    const contents = cmd.contents.map((h) => ({ path: h.path, data: h.expand ? rawLex.processWord(h.data, heredocEnv).result : h.data }));
    const endsInSlash = dest.endsWith('/');
    let destPath = dest.startsWith('/') ? dest : posix.join('/', c.WorkingDir || '/', dest);
    if (!dest.startsWith('/') && endsInSlash && !destPath.endsWith('/')) destPath += '/';
    const from: SourceRef = cmd.kind === 'copy' && cmd.from !== '' ? this.#resolveSource(cmd.from) : { kind: 'context' };
    const common = this.#common(cmd);
    const step: CopyStep = {
      kind: 'copy',
      ...common,
      instructionName: isAdd ? 'ADD' : 'COPY',
      sources,
      contents,
      dest,
      destPath,
      from,
      chown,
      ...(chmod !== undefined ? { chmod } : {}),
      preserveOwnership: from.kind !== 'context' && chown === '',
      link: cmd.link,
      parents: cmd.kind === 'copy' ? cmd.parents : false,
      exclude: cmd.exclude.map(expand),
      ...(checksum !== undefined ? { checksum } : {}),
      ...(isAdd && cmd.unpack !== undefined ? { unpack: cmd.unpack } : {}),
      shell: this.#shell(),
      cacheText: '',
    };
    step.cacheText = canonicalJson({ ...step, config: common.config, notes: undefined, code: undefined, line: undefined, cacheText: undefined });
    return step;
  }
}

/** The created_by and container_config of a COPY/ADD step once its source hash is known. */
export function copyCommit(step: CopyStep, sourceHash: string): { createdBy: string; containerConfig: ContainerConfig } {
  const cmd = nopCommandString(step.shell, copyMessage(step.instructionName, { chown: step.chown, sourceHash, dest: step.dest }));
  return { createdBy: createdBy(cmd), containerConfig: { ...structuredClone(step.config), Cmd: cmd } };
}

/** The HealthConfig as dockerd stores it: zero durations and retries omitted. */
function compactHealth(h: HealthConfig): HealthConfig {
  const out: HealthConfig = { Test: [...(h.Test ?? [])] };
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) if (h[k]) out[k] = h[k];
  return out;
}
