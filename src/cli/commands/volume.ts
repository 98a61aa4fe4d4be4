// `berth volume create|ls|inspect|rm|prune`, with docker's flags, columns and messages.
import { StatusError, type Command } from '../command.ts';
import { inspectEach, makeRow, printRows } from '../format.ts';
import { size, confirm } from '../util.ts';
import { validFilter, filterMap } from '../flags.ts';
import { daemonError, daemonCall } from './container.ts';
import type { Volume } from '../../types/index.ts';

const enc = encodeURIComponent;

function keyValues(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq === 0) throw new StatusError(125, `invalid argument ${JSON.stringify(v)} for "${flag}" flag: invalid key value pair format`);
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

function nonEmpty(key: string, m: Record<string, string>): Record<string, Record<string, string>> {
  return Object.keys(m).length ? { [key]: m } : {};
}

const createCommand: Command = {
  name: 'create',
  usage: '[OPTIONS] [VOLUME]',
  description: 'Create a volume',
  maxArgs: 1,
  flags: {
    driver: { type: 'string', short: 'd', usage: 'Specify volume driver name', default: 'local' },
    label: { type: 'stringArray', usage: 'Set metadata for a volume', valueName: 'list' },
    name: { type: 'string', usage: 'Specify volume name', hidden: true },
    opt: { type: 'stringArray', short: 'o', usage: 'Set driver specific options', valueName: 'map' },
  },
  async run(ctx, args, flags) {
    const flagName = flags.name as string | undefined;
    if (flagName && args[0] && flagName !== args[0]) {
      throw new StatusError(1, `conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
    }
    const v = await daemonCall(
      ctx.client().post<Volume>('/volumes/create', {
        body: {
          Name: args[0] ?? flagName ?? '',
          Driver: (flags.driver as string | undefined) ?? 'local',
          // empty maps are left out, as docker's CLI does (the volume then shows null)
          ...nonEmpty('DriverOpts', keyValues(flags.opt as string[] | undefined, '-o, --opt')),
          ...nonEmpty('Labels', keyValues(flags.label as string[] | undefined, '--label')),
        },
      }),
    );
    ctx.stdout.write(`${v.Name}\n`);
  },
};

const headers: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Group: 'GROUP',
  Availability: 'AVAILABILITY',
  Status: 'STATUS',
};

function labelString(labels: Record<string, string> | null): string {
  return Object.entries(labels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const lsCommand: Command = {
  name: 'ls',
  usage: '[OPTIONS]',
  description: 'List volumes',
  aliases: ['volume ls', 'volume list'],
  maxArgs: 0,
  flags: {
    cluster: { type: 'bool', usage: 'Display only cluster volumes, and use cluster volume list formatting', hidden: true },
    filter: { type: 'stringArray', short: 'f', usage: "Provide filter values (e.g. 'dangling=true')", valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    quiet: { type: 'bool', short: 'q', usage: 'Only display volume names' },
  },
  async run(ctx, _args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    const list = await daemonCall(
      ctx.client().get<{ Volumes: Volume[] | null }>('/volumes', Object.keys(filters).length ? { filters: JSON.stringify(filters) } : undefined),
    );
    const volumes = [...(list.Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    const rows = volumes.map((v) =>
      makeRow('volumeContext', {
        Name: v.Name,
        Driver: v.Driver,
        Scope: v.Scope,
        Mountpoint: v.Mountpoint,
        Labels: labelString(v.Labels),
        Links: 'N/A',
        Size: 'N/A',
        Group: 'N/A',
        Availability: 'N/A',
        Status: 'N/A',
        Label: (name: string) => v.Labels?.[name] ?? '',
      }),
    );
    printRows(ctx, rows, { format: flags.format as string | undefined, quiet: !!flags.quiet, quietField: 'Name', defaultTable: 'table {{.Driver}}\t{{.Name}}', headers });
  },
};

const inspectCommand: Command = {
  name: 'inspect',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Display detailed information on one or more volumes',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
  },
  async run(ctx, args, flags) {
    return inspectEach(ctx, args, (name) => ctx.client().get<Volume>(`/volumes/${enc(name)}`), { format: flags.format as string | undefined, errorText: (_n, err) => daemonError(err) });
  },
};

const rmCommand: Command = {
  name: 'rm',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  aliases: ['volume rm', 'volume remove'],
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', usage: 'Force the removal of one or more volumes' },
  },
  async run(ctx, args, flags) {
    let failed = false;
    for (const name of args) {
      try {
        await ctx.client().request('DELETE', `/volumes/${enc(name)}`, { query: { force: !!flags.force } });
        ctx.stdout.write(`${name}\n`);
      } catch (err) {
        failed = true;
        ctx.stderr.write(`${daemonError(err)}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

const pruneCommand: Command = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused local volumes',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused volumes, not just anonymous ones' },
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'label=<label>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
  async run(ctx, _args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    if (flags.all) {
      if (filters.all) throw new StatusError(1, 'conflicting options: cannot specify both --all and --filter all=1');
      filters.all = ['true'];
    }
    const warning = flags.all
      ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'
      : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
    if (!flags.force && !(await confirm(ctx, warning))) return 0;
    const report = await daemonCall(
      ctx.client().post<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('/volumes/prune', { query: { filters: JSON.stringify(filters) } }),
    );
    let out = '';
    if (report.VolumesDeleted?.length) out += `Deleted Volumes:\n${report.VolumesDeleted.join('\n')}\n\n`;
    out += `Total reclaimed space: ${size(report.SpaceReclaimed ?? 0)}\n`;
    ctx.stdout.write(out);
  },
};

export const volumeSubcommands: Command[] = [
  createCommand,
  inspectCommand,
  lsCommand,
  { ...lsCommand, name: 'list' },
  pruneCommand,
  rmCommand,
  { ...rmCommand, name: 'remove' },
];
