// berth: the command-line client. Global options, then a command (or a management command and
// its subcommand), with docker's flags, output, messages and exit statuses. The commands come from
// the table of command-table.ts; this file dispatches, prints help and usage errors as docker 28
// does (with cobra's "Did you mean this?" for a mistyped command), answers the shell completion
// scripts (`__complete`), and turns failures into exit statuses.
//
// Start-up matters here — scripts call berth in loops — so this module and what it imports are
// the whole of what every command loads: the specs, the flag parser, the API client. A command's
// implementation is loaded when it runs (see tools/build.mjs for how the bundle is cut).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiError, Client, ConnectionError } from '../client/index.ts';
import type { CliContext, CommandEntry, DaemonSelection } from './command.ts';
import {
  argumentError,
  buildTable,
  commandHelp,
  globalFlags,
  listedCommands,
  managementUsage,
  prog,
  rootUsage,
  unknownCommand,
  usageLine,
  type CommandTable,
  type Management,
} from './command-table.ts';
import { cliVersion } from './cli-version.ts';
import { currentContextName, defaultEndpoint, resolveEndpoint, type Endpoint } from './endpoint.ts';
import { StatusError, daemonError } from './errors.ts';
import { restoreExtraCaVariable, unloadedExtraCaFile } from './extra-ca.ts';
import { FlagError, longForms, parseFlags, type FlagValues } from './flags.ts';
import { suggestionText } from './suggest.ts';

/** Root commands that are not in the table. */
const builtins = { help: 'Help about any command' } as const;

async function runCommand(ctx: CliContext, path: string, cmd: CommandEntry, argv: string[]): Promise<number> {
  const spec = await cmd.spec();
  let parsed;
  try {
    parsed = parseFlags(argv, { ...spec.flags, help: { type: 'bool', usage: 'Print usage' } }, { interspersed: !spec.stopAtFirstArg });
  } catch (err) {
    if (err instanceof FlagError) {
      ctx.stderr.write(`${err.message}\n\nUsage:  ${usageLine(path, spec)}\n\nRun '${prog} ${path} --help' for more information\n`);
      return spec.usageErrorStatus ?? 125;
    }
    throw err;
  }
  for (const w of parsed.warnings) ctx.stderr.write(`${w}\n`);
  if (parsed.flags.help) {
    ctx.stdout.write(commandHelp(path, cmd, spec));
    return 0;
  }
  const wrongArgs = argumentError(path, spec, parsed.args.length);
  if (wrongArgs) {
    ctx.stderr.write(wrongArgs);
    return 1;
  }
  if (!spec.local) await askVersionAhead(ctx);
  return (await cmd.run(ctx, parsed.args, parsed.flags)) ?? 0;
}

/**
 * Sends the API version negotiation (HEAD /_ping, which every daemon command starts with) before
 * the command's code is loaded, so the daemon answers while it loads instead of after. A failure
 * is left for the command's own first request to meet and report.
 */
async function askVersionAhead(ctx: CliContext): Promise<void> {
  try {
    ctx.client().apiVersion().catch(() => {});
  } catch {
    return; // no endpoint: the command reports why
  }
  // One turn of the event loop writes the request out; the command's modules load after it.
  await new Promise((resolve) => setImmediate(resolve));
}

const rootNames = (table: CommandTable) => [...table.top.keys(), ...table.management.map((m) => m.name), ...Object.keys(builtins)];

/** `berth help [COMMAND [SUBCOMMAND]]`: the help of what it names. */
async function help(ctx: CliContext, table: CommandTable, words: string[]): Promise<number> {
  if (words.length === 0) {
    ctx.stdout.write(await rootUsage(table));
    return 0;
  }
  const [name, sub] = words;
  const m = table.management.find((x) => x.name === name);
  if (m && sub !== undefined) {
    const cmd = m.commands.get(sub);
    if (cmd) {
      ctx.stdout.write(commandHelp(`${name} ${sub}`, cmd, await cmd.spec()));
      return 0;
    }
  } else if (m) {
    ctx.stdout.write(await managementUsage(m));
    return 0;
  } else {
    const cmd = table.top.get(name!);
    if (cmd) {
      ctx.stdout.write(commandHelp(name!, cmd, await cmd.spec()));
      return 0;
    }
  }
  const names = m ? (await listedCommands(m)).map(([n]) => n) : rootNames(table);
  ctx.stderr.write(`unknown help topic: ${words.join(' ')}${suggestionText(m ? sub! : name!, names)}\n`);
  return 1;
}

/** `berth __complete WORD... CUR`, for the scripts of `berth completion`. */
async function completeWords(ctx: CliContext, table: CommandTable, words: string[]): Promise<number> {
  const { complete, liveNames } = await import('./commands/completion/engine.ts');
  const cur = words.length ? words[words.length - 1]! : '';
  const r = await complete(words.slice(0, -1), cur, { table, globalFlags, extraTop: builtins, names: liveNames(ctx) });
  ctx.stdout.write(r.candidates.map((c) => `${c}\n`).join('') + `:${r.directive}\n`);
  return 0;
}

async function dispatchManagement(ctx: CliContext, m: Management, rest: string[]): Promise<number> {
  // The management command's own options (compose's -f, -p…) come before the subcommand; the
  // subcommand parses them again (its spec accepts them), so they may follow it too.
  let lead: string[] = [];
  let afterLead = rest;
  if (m.flags) {
    try {
      const parsed = parseFlags(rest, { ...m.flags, help: { type: 'bool', usage: 'Print usage' } }, { interspersed: false });
      if (parsed.flags.help) {
        ctx.stdout.write(await managementUsage(m));
        return 0;
      }
      afterLead = parsed.args;
      lead = longForms(rest.slice(0, rest.length - afterLead.length), m.flags);
    } catch (err) {
      if (err instanceof FlagError) {
        ctx.stderr.write(`${err.message}\nSee '${prog} ${m.name} --help'.\n`);
        return m.usageErrorStatus ?? 125;
      }
      throw err;
    }
  }
  const [sub, ...subArgs] = afterLead;
  if (!sub || sub === '--help' || sub === '-h') {
    ctx.stdout.write(await managementUsage(m));
    return 0;
  }
  const cmd = m.commands.get(sub);
  if (!cmd) {
    ctx.stderr.write(unknownCommand(`${m.name} ${sub}`, sub, (await listedCommands(m)).map(([n]) => n), `${prog} ${m.name}`));
    return 1;
  }
  return runCommand(ctx, `${m.name} ${sub}`, cmd, [...lead, ...subArgs]);
}

export async function main(argv: string[]): Promise<number> {
  let globals;
  try {
    globals = parseFlags(argv, globalFlags, { interspersed: false });
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\n\nUsage:  ${prog} [OPTIONS] COMMAND [ARG...]\n\nRun '${prog} --help' for more information\n`);
      return 125;
    }
    throw err;
  }
  const g: FlagValues<typeof globalFlags> = globals.flags;
  if (g.version) {
    process.stdout.write(`Berth version ${cliVersion}, build berth\n`);
    return 0;
  }
  const configDir = g.config ?? (process.env.BERTH_CONFIG || join(homedir(), '.berth'));
  const sources = { flags: g, env: process.env, configDir, extraCaFile: unloadedExtraCaFile() };
  let endpoint: Endpoint | undefined;
  const daemon: DaemonSelection = {
    contextName: () => currentContextName(sources),
    endpoint: () => (endpoint ??= resolveEndpoint(sources)),
    defaultEndpoint: () => defaultEndpoint(sources),
    hostOverride: !!(g.host?.length || process.env.BERTH_HOST),
  };
  let client: Client | undefined;
  const ctx: CliContext = {
    client: () => {
      if (client) return client;
      const e = daemon.endpoint();
      client = new Client({ host: e.host, ...(e.tls ? { tls: e.tls } : {}) });
      return client;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    // process.stdin makes a stream on first use (for a file, fs streams with fs/promises and
    // readline behind them): only for the commands that read it.
    get stdin() {
      return process.stdin;
    },
    prog,
    configDir,
    daemon,
  };
  const [name, ...rest] = globals.args;
  try {
    const table = buildTable();
    if (!name || g.help) {
      process.stdout.write(await rootUsage(table));
      return 0;
    }
    if (name === 'help') return await help(ctx, table, rest);
    if (name === '__complete') return await completeWords(ctx, table, rest);
    const cmd = table.top.get(name);
    if (cmd) return await runCommand(ctx, name, cmd, rest);
    const m = table.management.find((x) => x.name === name);
    if (m) return await dispatchManagement(ctx, m, rest);
    process.stderr.write(unknownCommand(name, name, rootNames(table)));
    return 1;
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

// A command lives for tens of milliseconds, in which V8 would optimize the first function to get
// hot (node:path's normalizeString, walked by every require) with TurboFan: a 3 ms compile on
// another thread and 3.6 MB of peak RSS for a `run --rm`. Four times the interrupt budget keeps a
// short command in the interpreter and baseline tiers, and still optimizes the loops of a long one
// (cp, save, logs -f) a little later.
process.getBuiltinModule('node:v8').setFlagsFromString('--interrupt-budget=270336');
restoreExtraCaVariable();
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

