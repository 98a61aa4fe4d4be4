// The shape of a berth command. A command is declared in three parts, each loaded only when it is
// needed: where it is found (its names: the group's index.ts, all that the command table holds),
// its spec (usage, flags, arity, help text: the group's specs.ts, loaded when a command of the
// group is parsed or its help printed) and its implementation (its own module). Both later parts
// come through dynamic imports, so `berth ps` loads the container specs and ps.ts, not the
// specs of compose or the registry.
import type { Readable, Writable } from 'node:stream';
import type { Client } from '../client/index.ts';
import type { Terminal } from '../sys/index.ts';
import type { Endpoint } from './endpoint.ts';
import type { FlagSpecs, FlagValues } from './flags.ts';

export interface CliContext {
  client(): Client;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  /** The program name used in messages ("berth"). */
  prog: string;
  configDir: string;
  /** Termios calls for raw mode; the real ones (src/sys, through koffi) when not given. */
  terminal?: () => Terminal;
  /** How the daemon is chosen (endpoint.ts); given by main, absent where no daemon is involved. */
  daemon?: DaemonSelection;
}

/** The context in use and the endpoints it leads to, for `version` and the context commands. */
export interface DaemonSelection {
  /** The name of the context in use (--context, BERTH_CONTEXT, config.json; "default" for -H/BERTH_HOST). */
  contextName(): string;
  /** The endpoint the client connects to. */
  endpoint(): Endpoint;
  /** The default context's endpoint: -H, BERTH_HOST or the default socket. */
  defaultEndpoint(): Endpoint;
  /** Whether -H or BERTH_HOST overrides the current context (docker warns about it). */
  hostOverride: boolean;
}

/** What is known of a command before its implementation is loaded. */
export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  /** e.g. "[OPTIONS] IMAGE [COMMAND] [ARG...]" */
  usage: string;
  /** One line, as command lists show it. */
  description: string;
  /** The longer text `--help` shows instead of `description`, when there is more to say. */
  help?: string;
  /** Every name docker lists under "Aliases:" (without the program name), e.g. "container ls". */
  aliases?: readonly string[];
  flags: F;
  /** Stop parsing flags at the first argument (run, create, exec). */
  stopAtFirstArg?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /**
   * The command never talks to the daemon (context, completion, logout, the registry server).
   * Others get the daemon's API version asked for while their code loads.
   */
  local?: boolean;
  /** Exit status for flag errors (docker 28: 125, the default). Wrong argument counts exit 1. */
  usageErrorStatus?: number;
  /** What `berth completion` offers for the arguments and flag values (names from the daemon). */
  complete?: Completion;
}

/**
 * The names a shell completes where a command takes one. `container-running` and the like are
 * containers in that state, as docker's completion narrows `stop` to running ones; `none` offers
 * nothing (a command and its arguments after `exec CONTAINER`); `file` leaves it to the shell;
 * `container-path` is cp's CONTAINER:PATH or a local path: the names with a ":" and the files.
 */
export type NameKind =
  | 'container'
  | 'container-running'
  | 'container-stopped'
  | 'container-paused'
  | 'container-path'
  | 'image'
  | 'network'
  | 'volume'
  | 'context'
  | 'object'
  | 'file'
  | 'none';

/** A kind of name, or a fixed list of words (`completion bash|zsh|fish`, `--pull always|missing|never`). */
export type Completes = NameKind | readonly string[];

export interface Completion {
  /** What each argument is, by position; the last one goes on for the arguments after it. */
  args?: readonly Completes[];
  /** What a flag's value is, by the flag's long name. */
  flags?: Readonly<Record<string, Completes>>;
}

/** A command's implementation, its flags typed after its spec. Returns the exit status (0 when void). */
export type CommandRun<F extends FlagSpecs> = (ctx: CliContext, args: string[], flags: FlagValues<F>) => Promise<number | void>;

/** Declares a spec, keeping the literal types of its flag table (so `flags.detach` is a boolean). */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Where a command is found: its names at the top level and under management commands. */
export interface Placement {
  /** `berth ps` */
  top?: readonly string[];
  /** `berth container ls`: management command → names under it. */
  under?: Readonly<Record<string, readonly string[]>>;
}

/** A command in the table: where it is found, its spec (loaded on first use), and how to run it. */
export interface CommandEntry extends Placement {
  /** The command's spec; its group's specs module is loaded the first time (then it is at hand). */
  spec(): Promise<CommandSpec>;
  /** Loads the implementation and runs it with flags parsed against the spec's flags. */
  run(ctx: CliContext, args: string[], flags: FlagValues<FlagSpecs>): Promise<number | void>;
}

/**
 * A table entry placed at `placement`, its spec what `spec` resolves to, implemented by what `load`
 * resolves to.
 */
export function command<F extends FlagSpecs>(spec: () => Promise<CommandSpec<F>>, placement: Placement, load: () => Promise<CommandRun<F>>): CommandEntry {
  let loaded: Promise<CommandSpec> | undefined;
  return {
    ...placement,
    spec: () => (loaded ??= spec() as Promise<CommandSpec>),
    // The values were parsed against this very spec's flags: the cast restores what the table's
    // uniform type erased.
    run: async (ctx, args, flags) => (await load())(ctx, args, flags as FlagValues<F>),
  };
}

/**
 * A group's specs by export name, from a module loaded on first use:
 * `const spec = lazySpecs(() => import('./specs.ts'))`, then `command(spec('run'), …)`.
 */
export function lazySpecs<M>(load: () => Promise<M>): <K extends keyof M>(name: K) => () => Promise<M[K]> {
  let module: Promise<M> | undefined;
  return (name) => async () => (await (module ??= load()))[name];
}

/** A group of commands, as docker groups them (container, image, registry, system, network, volume). */
export interface CommandGroup {
  /**
   * The group's management command (`berth container …`), when it has one. `flags` are its own
   * options, given before the subcommand (`berth compose -f a.yml up`); each subcommand's spec
   * must accept them too, and gets them prepended to its arguments.
   */
  management?: { name: string; description: string; flags?: FlagSpecs; usageErrorStatus?: number };
  commands: readonly CommandEntry[];
}
