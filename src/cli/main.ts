// berth: the command-line client. Global options, then a command (or a management command and
// its subcommand), with docker's flags, output and exit statuses.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiError, Client, ConnectionError } from '../client/index.ts';
import { StatusError, type CliContext, type Command } from './command.ts';
import { containerCommands, containerSubcommands, daemonError } from './commands/container.ts';
import { imageCommands, imageSubcommands } from './commands/image.ts';
import { registryCommands, registryImageSubcommands } from './commands/registry.ts';
import { interactiveCommands } from './commands/interactive.ts';
import { cliVersion, systemCommands } from './commands/system.ts';
import { networkSubcommands, portCommand } from './commands/network.ts';
import { transferCommands, transferContainerSubcommands, transferImageSubcommands, transferSystemSubcommands } from './commands/transfer.ts';
import { dataCommands } from './commands/data.ts';
import { volumeSubcommands } from './commands/volume.ts';
import { buildCommands, buildImageSubcommands, builderSubcommands } from './commands/build.ts';
import { FlagError, flagUsages, formatUsage, parseFlags, type FlagSpec } from './flags.ts';

const prog = 'berth';
const defaultHost = 'unix:///run/berth/berth.sock';

const globalFlags: Record<string, FlagSpec> = {
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
};

interface Management {
  name: string;
  description: string;
  subcommands: Command[];
}

const management: Management[] = [
  { name: 'container', description: 'Manage containers', subcommands: [...containerSubcommands, ...interactiveCommands.map((c) => ({ ...c }))] },
  { name: 'image', description: 'Manage images', subcommands: [...imageSubcommands, ...transferImageSubcommands, ...registryImageSubcommands] },
  { name: 'system', description: 'Manage Docker', subcommands: transferSystemSubcommands },
];
management[0].subcommands.push(...transferContainerSubcommands);
management.push({ name: 'network', description: 'Manage networks', subcommands: networkSubcommands });
management[0].subcommands.push(portCommand);

const topLevel: Command[] = [...containerCommands, ...interactiveCommands, ...imageCommands, ...systemCommands, ...transferCommands, ...registryCommands];
topLevel.push(portCommand);
management.push({ name: 'volume', description: 'Manage volumes', subcommands: volumeSubcommands });
management[0].subcommands.push(...dataCommands.map((c) => ({ ...c })));
topLevel.push(...dataCommands);
topLevel.push(...buildCommands);
management[1].subcommands.push(...buildImageSubcommands);
management.push({ name: 'builder', description: 'Manage builds', subcommands: builderSubcommands });

function rootUsage(): string {
  const line = (name: string, desc: string) => `  ${name.padEnd(11)} ${desc}`;
  const common = ['run', 'ps', 'pull', 'images', 'logs', 'version', 'info', 'inspect'];
  const out = [
    `Usage:  ${prog} [OPTIONS] COMMAND`,
    '',
    'A Docker-compatible container engine',
    '',
    'Common Commands:',
    ...common.map((n) => topLevel.find((c) => c.name === n)!).map((c) => line(c.name, c.description)),
    '',
    'Management Commands:',
    ...management.map((m) => line(m.name, m.description)),
    '',
    'Commands:',
    ...topLevel
      .filter((c) => !common.includes(c.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => line(c.name, c.description)),
    '',
    'Global Options:',
    flagUsages(globalFlags).trimEnd(),
    '',
    `Run '${prog} COMMAND --help' for more information on a command.`,
  ];
  return out.join('\n') + '\n';
}

function managementUsage(m: Management): string {
  const out = [
    `Usage:  ${prog} ${m.name} COMMAND`,
    '',
    m.description,
    '',
    'Commands:',
    ...[...new Map(m.subcommands.map((c) => [c.name, c])).values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => `  ${c.name.padEnd(11)} ${c.description}`),
    '',
    `Run '${prog} ${m.name} COMMAND --help' for more information on a command.`,
  ];
  return out.join('\n') + '\n';
}

async function runCommand(ctx: CliContext, path: string, cmd: Command, argv: string[]): Promise<number> {
  const usageStatus = cmd.usageErrorStatus ?? 125;
  let parsed;
  try {
    parsed = parseFlags(argv, { ...cmd.flags, help: { type: 'bool', usage: 'Print usage' } }, { interspersed: !cmd.stopAtFirstArg });
  } catch (err) {
    if (err instanceof FlagError) {
      ctx.stderr.write(`${err.message}\nSee '${prog} ${path} --help'.\n`);
      return usageStatus;
    }
    throw err;
  }
  if (parsed.flags.help) {
    const aliases = cmd.aliases?.length ? [...new Set([...cmd.aliases.map((a) => `${prog} ${a}`), `${prog} ${path}`])] : undefined;
    ctx.stdout.write(formatUsage(`${prog} ${path}`, { usage: cmd.usage, description: cmd.description, flags: cmd.flags, ...(aliases ? { aliases } : {}) }));
    return 0;
  }
  const n = parsed.args.length;
  if ((cmd.minArgs !== undefined && n < cmd.minArgs) || (cmd.maxArgs !== undefined && n > cmd.maxArgs)) {
    const need =
      cmd.maxArgs === 0
        ? 'accepts no arguments'
        : cmd.minArgs === cmd.maxArgs
          ? `requires exactly ${cmd.minArgs} argument${cmd.minArgs === 1 ? '' : 's'}`
          : n < (cmd.minArgs ?? 0)
            ? `requires at least ${cmd.minArgs} argument${cmd.minArgs === 1 ? '' : 's'}`
            : `requires at most ${cmd.maxArgs} argument${cmd.maxArgs === 1 ? '' : 's'}`;
    ctx.stderr.write(`${prog}: '${prog} ${path}' ${need}\n\nUsage:  ${prog} ${path} ${cmd.usage}\n\n${cmd.description}\n\nRun '${prog} ${path} --help' for more information\n`);
    return n < (cmd.minArgs ?? 0) || cmd.maxArgs !== undefined ? (cmd.usageErrorStatus ?? 1) : 1;
  }
  const status = await cmd.run(ctx, parsed.args, parsed.flags);
  return status ?? 0;
}

export async function main(argv: string[]): Promise<number> {
  let globals;
  try {
    globals = parseFlags(argv, globalFlags, { interspersed: false });
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\nSee '${prog} --help'.\n`);
      return 125;
    }
    throw err;
  }
  const g = globals.flags;
  if (g.version) {
    process.stdout.write(`Berth version ${cliVersion}, build berth\n`);
    return 0;
  }
  const hosts = (g.host as string[] | undefined) ?? [];
  const host = hosts[0] ?? process.env.BERTH_HOST ?? defaultHost;
  const tlsverify = !!g.tlsverify || process.env.BERTH_TLS_VERIFY === '1';
  const certDir = process.env.BERTH_CERT_PATH ?? join((g.config as string | undefined) ?? join(homedir(), '.berth'));
  let client: Client | undefined;
  const ctx: CliContext = {
    client: () => {
      client ??= new Client({
        host: host.includes('://') ? host : `tcp://${host}`,
        ...(g.tls || tlsverify
          ? {
              tls: {
                ca: (g.tlscacert as string | undefined) ?? join(certDir, 'ca.pem'),
                cert: (g.tlscert as string | undefined) ?? join(certDir, 'cert.pem'),
                key: (g.tlskey as string | undefined) ?? join(certDir, 'key.pem'),
                verify: tlsverify,
              },
            }
          : {}),
      });
      return client;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    prog,
    configDir: (g.config as string | undefined) ?? join(homedir(), '.berth'),
  };
  const [name, ...rest] = globals.args;
  try {
    if (!name || g.help) {
      process.stdout.write(rootUsage());
      return 0;
    }
    const m = management.find((x) => x.name === name);
    if (m) {
      const [sub, ...subArgs] = rest;
      if (!sub || sub === '--help') {
        process.stdout.write(managementUsage(m));
        return 0;
      }
      const cmd = m.subcommands.find((c) => c.name === sub);
      if (!cmd) {
        process.stderr.write(`${prog}: unknown command: ${prog} ${name} ${sub}\n\nRun '${prog} ${name} --help' for more information\n`);
        return 1;
      }
      return await runCommand(ctx, `${name} ${sub}`, cmd, subArgs);
    }
    const cmd = topLevel.find((c) => c.name === name);
    if (!cmd) {
      process.stderr.write(`${prog}: unknown command: ${prog} ${name}\n\nRun '${prog} --help' for more information\n`);
      return 1;
    }
    return await runCommand(ctx, name, cmd, rest);
  } catch (err) {
    if (err instanceof StatusError) {
      if (err.message) process.stderr.write(err.message.endsWith('\n') ? err.message : `${err.message}\n`);
      return err.status;
    }
    if (err instanceof ConnectionError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    if (err instanceof ApiError) {
      process.stderr.write(`${daemonError(err)}\n`);
      return 1;
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    client?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Let buffered output drain before leaving.
    if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
