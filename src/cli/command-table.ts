// The command table: the groups' commands by the names they answer to, and the help and usage
// errors that name them, in docker 28's layout. The table itself holds names only (the groups'
// index.ts); the texts that need specs load them (a group's specs.ts, once) and no implementation
// is loaded to answer `--help`.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandEntry, CommandGroup, CommandSpec } from './command.ts';
import { flagUsages, formatUsage, type FlagSpecs } from './flags.ts';
import { byteOrder } from '../lib/index.ts';
import { suggestionText } from './suggest.ts';
import { completionGroup } from './commands/completion/index.ts';
import { containerGroup } from './commands/container/index.ts';
import { contextGroup } from './commands/context/index.ts';
import { imageGroup } from './commands/image/index.ts';
import { builderGroup } from './commands/builder/index.ts';
import { registryGroup } from './commands/registry/index.ts';
import { registryServerGroup } from './commands/registry-server/index.ts';
import { systemGroup } from './commands/system/index.ts';
import { networkGroup } from './commands/network/index.ts';
import { volumeGroup } from './commands/volume/index.ts';
import { composeGroup } from './commands/compose/index.ts';

export const prog = 'berth';

/** The groups, in the order their management commands are listed. */
const groups: readonly CommandGroup[] = [containerGroup, imageGroup, builderGroup, registryGroup, systemGroup, networkGroup, volumeGroup, registryServerGroup, composeGroup, contextGroup, completionGroup];

export const globalFlags = {
  config: { type: 'string', usage: `Location of client config files (default "${join(homedir(), '.berth')}")` },
  context: {
    type: 'string',
    short: 'c',
    usage: 'Name of the context to use to connect to the daemon (overrides BERTH_HOST env var and default context set with "berth context use")',
  },
  debug: { type: 'bool', short: 'D', usage: 'Enable debug mode' },
  host: { type: 'stringArray', short: 'H', usage: 'Daemon socket to connect to', valueName: 'list' },
  'log-level': { type: 'string', short: 'l', usage: 'Set the logging level ("debug", "info", "warn", "error", "fatal")', default: 'info' },
  tls: { type: 'bool', usage: 'Use TLS; implied by --tlsverify' },
  tlscacert: { type: 'string', usage: 'Trust certs signed only by this CA' },
  tlscert: { type: 'string', usage: 'Path to TLS certificate file' },
  tlskey: { type: 'string', usage: 'Path to TLS key file' },
  tlsverify: { type: 'bool', usage: 'Use TLS and verify the remote' },
  version: { type: 'bool', short: 'v', usage: 'Print version information and quit' },
  help: { type: 'bool', usage: 'Print usage' },
} as const satisfies FlagSpecs;

export interface Management {
  name: string;
  description: string;
  flags?: FlagSpecs;
  usageErrorStatus?: number;
  /** Subcommand name → command. */
  commands: Map<string, CommandEntry>;
}

export interface CommandTable {
  /** Top-level name → command. */
  top: Map<string, CommandEntry>;
  /** Management commands in listing order. */
  management: Management[];
}

/** Builds the table from `groups`; a name claimed twice in one place is a programming error. */
export function buildTable(from: readonly CommandGroup[] = groups): CommandTable {
  const top = new Map<string, CommandEntry>();
  const management: Management[] = [];
  for (const g of from) if (g.management) management.push({ ...g.management, commands: new Map() });
  const claim = (map: Map<string, CommandEntry>, name: string, entry: CommandEntry, where: string) => {
    if (map.has(name)) throw new Error(`${where}: ${name} is defined twice`);
    map.set(name, entry);
  };
  for (const g of from) {
    for (const entry of g.commands) {
      for (const name of entry.top ?? []) claim(top, name, entry, prog);
      for (const [m, names] of Object.entries(entry.under ?? {})) {
        const target = management.find((x) => x.name === m);
        if (!target) throw new Error(`no management command ${m}`);
        for (const name of names) claim(target.commands, name, entry, `${prog} ${m}`);
      }
    }
  }
  return { top, management };
}

const line = (name: string, desc: string) => `  ${name.padEnd(11)} ${desc}`;


/** The specs of `entries`, in their order (their groups' specs modules loaded together). */
const specsOf = (entries: readonly CommandEntry[]): Promise<CommandSpec[]> => Promise.all(entries.map((e) => e.spec()));

export async function rootUsage(table: CommandTable): Promise<string> {
  // docker's "Common Commands", those berth has
  const common = ['run', 'exec', 'ps', 'build', 'pull', 'push', 'images', 'login', 'logout', 'search', 'version', 'info'].filter((n) => table.top.has(n));
  const rest = [...table.top].filter(([n]) => !common.includes(n)).sort(([a], [b]) => byteOrder(a, b));
  const commonSpecs = await specsOf(common.map((n) => table.top.get(n)!));
  const restSpecs = await specsOf(rest.map(([, c]) => c));
  const out = [
    `Usage:  ${prog} [OPTIONS] COMMAND`,
    '',
    'A Docker-compatible container engine',
    '',
    'Common Commands:',
    ...common.map((n, i) => line(n, commonSpecs[i]!.description)),
    '',
    'Management Commands:',
    ...[...table.management].sort((a, b) => byteOrder(a.name, b.name)).map((m) => line(m.name, m.description)),
    '',
    'Commands:',
    ...rest.map(([n], i) => line(n, restSpecs[i]!.description)),
    '',
    'Global Options:',
    flagUsages(globalFlags).trimEnd(),
    '',
    `Run '${prog} COMMAND --help' for more information on a command.`,
  ];
  return out.join('\n') + '\n';
}

/**
 * The commands a management command lists, one line each under its first name in docker (the
 * spec's first alias there: `container ls`, not `list` or `ps`); the other names still work.
 */
export async function listedCommands(m: Management): Promise<Array<[string, CommandEntry, CommandSpec]>> {
  // each command once, under the first name it was placed with
  const named = new Map<CommandEntry, string>();
  for (const [name, entry] of m.commands) if (!named.has(entry)) named.set(entry, name);
  const specs = await specsOf([...named.keys()]);
  const out = [...named].map(([entry, name], i): [string, CommandEntry, CommandSpec] => {
    const spec = specs[i]!;
    const first = spec.aliases?.find((a) => a.startsWith(`${m.name} `))?.slice(m.name.length + 1);
    return [first && m.commands.get(first) === entry ? first : name, entry, spec];
  });
  return out.sort(([a], [b]) => byteOrder(a, b));
}

export async function managementUsage(m: Management): Promise<string> {
  const out = [
    `Usage:  ${prog} ${m.name}${m.flags ? ' [OPTIONS]' : ''} COMMAND`,
    '',
    m.description,
    '',
    ...(m.flags ? ['Options:', flagUsages(m.flags).trimEnd(), ''] : []),
    'Commands:',
    ...(await listedCommands(m)).map(([n, , spec]) => line(n, spec.description)),
    '',
    `Run '${prog} ${m.name} COMMAND --help' for more information on a command.`,
  ];
  return out.join('\n') + '\n';
}

/** "berth PATH USAGE", the usage line of a command's help and usage errors. */
export const usageLine = (path: string, spec: CommandSpec): string => `${prog} ${path}${spec.usage ? ` ${spec.usage}` : ''}`;

/** A command's --help: docker's layout, with all its names under "Aliases:" when it has several. */
export function commandHelp(path: string, entry: CommandEntry, spec: CommandSpec): string {
  const names = spec.aliases?.length ? [...new Set([...spec.aliases, ...(entry.top ?? []), path].map((n) => `${prog} ${n}`))] : undefined;
  return formatUsage(`${prog} ${path}`, { usage: spec.usage, description: spec.help ?? spec.description, flags: spec.flags, ...(names ? { aliases: names } : {}) });
}

/** docker 28's message for a wrong number of arguments ("See" after a minimum, "Run" otherwise), or undefined. */
export function argumentError(path: string, spec: CommandSpec, n: number): string | undefined {
  const { minArgs: min, maxArgs: max } = spec;
  if ((min === undefined || n >= min) && (max === undefined || n <= max)) return undefined;
  const args = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
  let need: string;
  let verb = 'Run';
  if (max === 0) need = 'accepts no arguments';
  else if (min !== undefined && max !== undefined) need = min === max ? `requires ${args(min)}` : `requires at least ${min} and at most ${args(max)}`;
  else if (min !== undefined) {
    need = `requires at least ${args(min)}`;
    verb = 'See';
  } else need = `requires at most ${args(max!)}`;
  return `${prog}: '${prog} ${path}' ${need}\n\nUsage:  ${usageLine(path, spec)}\n\n${verb} '${prog} ${path} --help' for more information\n`;
}

/**
 * docker's "unknown command" for `words` (the last of them, `typed`, being the unknown one), with
 * cobra's "Did you mean this?" among `names`, and a usage line for a management command's.
 */
export function unknownCommand(words: string, typed: string, names: Iterable<string>, usage?: string): string {
  const parent = words.slice(0, words.length - typed.length).trim();
  return (
    `${prog}: unknown command: ${prog} ${words}${suggestionText(typed, names)}\n\n` +
    (usage ? `Usage:  ${usage}\n\n` : '') +
    `Run '${prog}${parent ? ` ${parent}` : ''} --help' for more information\n`
  );
}
