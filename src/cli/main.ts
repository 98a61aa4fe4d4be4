// berth: the command-line client. Global options, then a command (or a management command and
// its subcommand), with docker's flags, output and exit statuses. The commands come from the
// table of command-table.ts; this file only dispatches and turns failures into exit statuses.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiError, Client, ConnectionError } from '../client/index.ts';
import type { CliContext, CommandEntry } from './command.ts';
import { cliVersion } from './commands/system/specs.ts';
import { StatusError, daemonError } from './errors.ts';
import { FlagError, formatUsage, longForms, parseFlags } from './flags.ts';
import { buildTable, globalFlags, managementUsage, prog, rootUsage } from './command-table.ts';

const defaultHost = 'unix:///run/berth/berth.sock';

async function runCommand(ctx: CliContext, path: string, cmd: CommandEntry, argv: string[]): Promise<number> {
  const spec = cmd.spec;
  const usageStatus = spec.usageErrorStatus ?? 125;
  let parsed;
  try {
    parsed = parseFlags(argv, { ...spec.flags, help: { type: 'bool', usage: 'Print usage' } }, { interspersed: !spec.stopAtFirstArg });
  } catch (err) {
    if (err instanceof FlagError) {
      ctx.stderr.write(`${err.message}\nSee '${prog} ${path} --help'.\n`);
      return usageStatus;
    }
    throw err;
  }
  if (parsed.flags.help) {
    const aliases = spec.aliases?.length ? [...new Set([...spec.aliases.map((a) => `${prog} ${a}`), `${prog} ${path}`])] : undefined;
    ctx.stdout.write(formatUsage(`${prog} ${path}`, { usage: spec.usage, description: spec.description, flags: spec.flags, ...(aliases ? { aliases } : {}) }));
    return 0;
  }
  const n = parsed.args.length;
  if ((spec.minArgs !== undefined && n < spec.minArgs) || (spec.maxArgs !== undefined && n > spec.maxArgs)) {
    const need =
      spec.maxArgs === 0
        ? 'accepts no arguments'
        : spec.minArgs === spec.maxArgs
          ? `requires exactly ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
          : n < (spec.minArgs ?? 0)
            ? `requires at least ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}`
            : `requires at most ${spec.maxArgs} argument${spec.maxArgs === 1 ? '' : 's'}`;
    ctx.stderr.write(`${prog}: '${prog} ${path}' ${need}\n\nUsage:  ${prog} ${path} ${spec.usage}\n\n${spec.description}\n\nRun '${prog} ${path} --help' for more information\n`);
    return n < (spec.minArgs ?? 0) || spec.maxArgs !== undefined ? (spec.usageErrorStatus ?? 1) : 1;
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
  const host = g.host?.[0] ?? process.env.BERTH_HOST ?? defaultHost;
  const tlsverify = !!g.tlsverify || process.env.BERTH_TLS_VERIFY === '1';
  const certDir = process.env.BERTH_CERT_PATH ?? join(g.config ?? join(homedir(), '.berth'));
  let client: Client | undefined;
  const ctx: CliContext = {
    client: () => {
      client ??= new Client({
        host: host.includes('://') ? host : `tcp://${host}`,
        ...(g.tls || tlsverify
          ? {
              tls: {
                ca: g.tlscacert ?? join(certDir, 'ca.pem'),
                cert: g.tlscert ?? join(certDir, 'cert.pem'),
                key: g.tlskey ?? join(certDir, 'key.pem'),
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
    configDir: g.config ?? join(homedir(), '.berth'),
  };
  const [name, ...rest] = globals.args;
  try {
    if (!name || g.help) {
      process.stdout.write(rootUsage(buildTable()));
      return 0;
    }
    const table = buildTable();
    const m = table.management.find((x) => x.name === name);
    if (m) {
      // The management command's own options come before the subcommand; the subcommand parses
      // them again (its spec accepts them), so they may follow it too.
      let lead: string[] = [];
      let afterLead = rest;
      if (m.flags) {
        try {
          const parsed = parseFlags(rest, { ...m.flags, help: { type: 'bool', usage: 'Print usage' } }, { interspersed: false });
          if (parsed.flags.help) {
            process.stdout.write(managementUsage(m));
            return 0;
          }
          afterLead = parsed.args;
          lead = longForms(rest.slice(0, rest.length - afterLead.length), m.flags);
        } catch (err) {
          if (err instanceof FlagError) {
            process.stderr.write(`${err.message}\nSee '${prog} ${name} --help'.\n`);
            return m.usageErrorStatus ?? 125;
          }
          throw err;
        }
      }
      const [sub, ...subArgs] = afterLead;
      if (!sub || sub === '--help') {
        process.stdout.write(managementUsage(m));
        return 0;
      }
      const cmd = m.commands.get(sub);
      if (!cmd) {
        process.stderr.write(`${prog}: unknown command: ${prog} ${name} ${sub}\n\nRun '${prog} ${name} --help' for more information\n`);
        return 1;
      }
      return await runCommand(ctx, `${name} ${sub}`, cmd, [...lead, ...subArgs]);
    }
    const cmd = table.top.get(name);
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

