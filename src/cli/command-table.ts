// The command table: the groups' commands by the names they answer to, and the help that lists
// them. Built from the groups' specs alone; no implementation is loaded to answer `--help`.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandEntry, CommandGroup } from './command.ts';
import { flagUsages, type FlagSpecs } from './flags.ts';
import { containerGroup } from './commands/container/index.ts';
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
const groups: readonly CommandGroup[] = [containerGroup, imageGroup, builderGroup, registryGroup, systemGroup, networkGroup, volumeGroup, registryServerGroup, composeGroup];

export const globalFlags = {
  config: { type: 'string', usage: `Location of client config files (default "${join(homedir(), '.berth')}")` },
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

export function rootUsage(table: CommandTable): string {
  const common = ['run', 'ps', 'pull', 'images', 'logs', 'version', 'info', 'inspect'];
  const out = [
    `Usage:  ${prog} [OPTIONS] COMMAND`,
    '',
    'A Docker-compatible container engine',
    '',
    'Common Commands:',
    ...common.map((n) => line(n, table.top.get(n)!.spec.description)),
    '',
    'Management Commands:',
    ...[...table.management].sort((a, b) => a.name.localeCompare(b.name)).map((m) => line(m.name, m.description)),
    '',
    'Commands:',
    ...[...table.top]
      .filter(([n]) => !common.includes(n))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([n, c]) => line(n, c.spec.description)),
    '',
    'Global Options:',
    flagUsages(globalFlags).trimEnd(),
    '',
    `Run '${prog} COMMAND --help' for more information on a command.`,
  ];
  return out.join('\n') + '\n';
}

export function managementUsage(m: Management): string {
  const out = [
    `Usage:  ${prog} ${m.name}${m.flags ? ' [OPTIONS]' : ''} COMMAND`,
    '',
    m.description,
    '',
    ...(m.flags ? ['Options:', flagUsages(m.flags).trimEnd(), ''] : []),
    'Commands:',
    ...[...m.commands].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => line(n, c.spec.description)),
    '',
    `Run '${prog} ${m.name} COMMAND --help' for more information on a command.`,
  ];
  return out.join('\n') + '\n';
}
