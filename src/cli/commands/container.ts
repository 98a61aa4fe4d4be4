// Container commands: run, create, start, stop, kill, restart, rm, ps, logs, wait, inspect, rename.
import { writeFileSync } from 'node:fs';
import { ApiError, demux, type Client } from '../../client/index.ts';
import type { ContainerSummary } from '../../types/index.ts';
import { StatusError, type CliContext, type Command } from '../command.ts';
import { inspectEach, makeRow, printRows } from '../format.ts';
import { buildCreateRequest, containerFlags } from '../run-options.ts';
import { monitorTtySize, proxySignals, pumpAttach, rawMode, showProgress } from '../streams.ts';
import { defaultDetachKeys, parseDetachKeys } from '../../lib/index.ts';
import { ago, ellipsis, goQuote, goTimeString, size, truncateId } from '../util.ts';
import { parseTimestampArg } from '../time.ts';
import { validFilter, filterMap } from '../flags.ts';
import { registryAuthFor, registryOf } from './registry.ts';

const enc = encodeURIComponent;

/** Runs fn for each argument; prints `ok(arg)` or the error, and fails with 1 if any failed. */
async function each(ctx: CliContext, args: string[], fn: (arg: string) => Promise<string | undefined>): Promise<number> {
  let failed = false;
  for (const arg of args) {
    try {
      const out = await fn(arg);
      if (out !== undefined) ctx.stdout.write(out + '\n');
    } catch (err) {
      failed = true;
      ctx.stderr.write(`${daemonError(err)}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** The --detach-keys flag as bytes (docker's default when unset); exit 125-style usage error when invalid. */
export function detachKeysFlag(flags: Record<string, unknown>): Buffer {
  const v = flags['detach-keys'] as string | undefined;
  try {
    return parseDetachKeys(v || defaultDetachKeys);
  } catch (err) {
    throw new StatusError(125, (err as Error).message);
  }
}

/** Awaits a daemon call; its failure ends the command with status 1 and the daemon's message. */
export async function daemonCall<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new StatusError(1, daemonError(err));
  }
}

export function daemonError(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

async function pullImage(ctx: CliContext, image: string, platform?: string): Promise<void> {
  const res = await ctx.client().stream('POST', '/images/create', {
    query: { fromImage: withDefaultTag(image), ...(platform ? { platform } : {}) },
    headers: { 'X-Registry-Auth': registryAuthFor(ctx, registryOf(image)) },
  });
  await showProgress({ ...ctx, stdout: ctx.stderr }, res);
}

function isNoSuchImage(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && /No such image/.test(err.message);
}

function withDefaultTag(image: string): string {
  if (image.includes('@')) return image;
  const slash = image.lastIndexOf('/');
  return image.slice(slash + 1).includes(':') ? image : `${image}:latest`;
}

async function createContainer(ctx: CliContext, flags: Record<string, unknown>, args: string[], detach: boolean) {
  const [image, ...cmd] = args;
  const req = buildCreateRequest(flags, image, cmd, { detach });
  const client = ctx.client();
  const pull = (flags.pull as string | undefined) ?? 'missing';
  if (!['always', 'missing', 'never'].includes(pull)) throw new StatusError(125, `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  if (pull === 'always') await pullImage(ctx, image, flags.platform as string | undefined);
  const create = () =>
    client.post<{ Id: string; Warnings: string[] | null }>('/containers/create', { query: { name: req.name }, body: req.body });
  let created;
  try {
    created = await create();
  } catch (err) {
    if (!isNoSuchImage(err) || pull === 'never') throw err;
    ctx.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`);
    await pullImage(ctx, image, flags.platform as string | undefined);
    created = await create();
  }
  for (const w of created.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
  if (flags.cidfile) writeFileSync(flags.cidfile as string, created.Id, { flag: 'wx' });
  return { id: created.Id, req };
}

/** docker's exit status for a failed `run`/`start`: 127 not found, 126 not executable, else 125. */
function runFailureStatus(err: unknown): number {
  const msg = err instanceof Error ? err.message : String(err);
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(msg)) return 127;
  if (/permission denied|is a directory/.test(msg)) return 126;
  return 125;
}

function runError(ctx: CliContext, cmd: string, err: unknown, status?: number): StatusError {
  if (err instanceof StatusError) return err;
  return new StatusError(status ?? runFailureStatus(err), `${ctx.prog}: ${daemonError(err)}\n\nRun '${ctx.prog} ${cmd} --help' for more information`);
}

const runCommand: Command = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  aliases: ['container run'],
  stopAtFirstArg: true,
  minArgs: 1,
  usageErrorStatus: 125,
  flags: {
    ...containerFlags,
    detach: { type: 'bool', short: 'd', usage: 'Run container in background and print container ID' },
    'detach-keys': { type: 'string', usage: 'Override the key sequence for detaching a container' },
    'sig-proxy': { type: 'bool', usage: 'Proxy received signals to the process', default: true },
  },
  async run(ctx, args, flags) {
    const detach = !!flags.detach;
    if (detach && flags.rm === undefined) {
      // fine: --rm with -d removes on exit, as docker does
    }
    const detachKeys = detachKeysFlag(flags);
    if (!detach && flags.tty && flags.interactive && !ctx.stdin.isTTY) throw new StatusError(1, 'the input device is not a TTY');
    let id: string;
    let req;
    try {
      ({ id, req } = await createContainer(ctx, flags, args, detach));
    } catch (err) {
      throw runError(ctx, 'run', err, 125);
    }
    const client = ctx.client();
    if (detach) {
      try {
        await client.post(`/containers/${id}/start`);
      } catch (err) {
        throw runError(ctx, 'run', err);
      }
      ctx.stdout.write(`${id}\n`);
      return 0;
    }
    const tty = !!req.body.Tty;
    const att = req.attach;
    let attached: ReturnType<typeof pumpAttach> | undefined;
    if (att.stdin || att.stdout || att.stderr) {
      const { stream } = await client.hijack(`/containers/${id}/attach`, {
        query: { stream: true, stdin: att.stdin, stdout: att.stdout, stderr: att.stderr, detachKeys: flags['detach-keys'] as string | undefined },
      });
      attached = pumpAttach(ctx, stream, { tty, stdin: att.stdin, detachKeys });
    }
    const condition = flags.rm ? 'removed' : 'next-exit';
    const waitRes = await client.stream('POST', `/containers/${id}/wait`, { query: { condition } });
    const waited = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of waitRes) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString();
      try {
        return JSON.parse(text) as { StatusCode: number; Error?: { Message: string } | null };
      } catch {
        return { StatusCode: 125, Error: { Message: 'unexpected end of wait response' } };
      }
    })();
    const restoreTty = tty && att.stdin ? rawMode(ctx) : () => {};
    try {
      try {
        await client.post(`/containers/${id}/start`);
      } catch (err) {
        attached?.stream.destroy();
        throw runError(ctx, 'run', err);
      }
      const stopProxy = !tty && flags['sig-proxy'] !== false ? proxySignals(client, id) : () => {};
      const stopResize = tty ? monitorTtySize(ctx, client, `/containers/${id}/resize`) : () => {};
      try {
        // The detach keys leave the container running: nothing to wait for.
        if (attached && (await attached.done) === 'detached') return 0;
        const result = await waited;
        if (result.Error?.Message) ctx.stderr.write(`${ctx.prog}: ${result.Error.Message}\n`);
        return result.StatusCode;
      } finally {
        stopProxy();
        stopResize();
      }
    } finally {
      restoreTty();
      if (att.stdin) ctx.stdin.pause();
    }
  },
};

const createCommand: Command = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  aliases: ['container create'],
  stopAtFirstArg: true,
  minArgs: 1,
  usageErrorStatus: 125,
  flags: containerFlags,
  async run(ctx, args, flags) {
    try {
      const { id } = await createContainer(ctx, flags, args, true);
      ctx.stdout.write(`${id}\n`);
    } catch (err) {
      // unlike run, docker's create reports daemon errors plainly, with status 1
      if (err instanceof StatusError) throw err;
      throw new StatusError(1, daemonError(err));
    }
  },
};

const startCommand: Command = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  aliases: ['container start'],
  minArgs: 1,
  flags: {
    attach: { type: 'bool', short: 'a', usage: 'Attach STDOUT/STDERR and forward signals' },
    interactive: { type: 'bool', short: 'i', usage: "Attach container's STDIN" },
    'detach-keys': { type: 'string', usage: 'Override the key sequence for detaching a container' },
  },
  async run(ctx, args, flags) {
    const client = ctx.client();
    if (flags.attach || flags.interactive) {
      if (args.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
      const info = await client.get<{ Id: string; Config: { Tty: boolean; OpenStdin: boolean } }>(`/containers/${enc(args[0])}/json`).catch((err: unknown) => {
        throw new StatusError(1, daemonError(err));
      });
      const stdin = !!flags.interactive && info.Config.OpenStdin;
      const detachKeys = detachKeysFlag(flags);
      const { stream } = await client.hijack(`/containers/${info.Id}/attach`, {
        query: { stream: true, stdin, stdout: true, stderr: true, detachKeys: flags['detach-keys'] as string | undefined },
      });
      const restoreTty = info.Config.Tty && stdin ? rawMode(ctx) : () => {};
      const attached = pumpAttach(ctx, stream, { tty: info.Config.Tty, stdin, detachKeys });
      const waitRes = await client.stream('POST', `/containers/${info.Id}/wait`, { query: { condition: 'next-exit' } });
      try {
        await client.post(`/containers/${info.Id}/start`);
      } catch (err) {
        stream.destroy();
        throw new StatusError(1, `${daemonError(err)}\nError: failed to start containers: ${args[0]}`);
      }
      const stopResize = info.Config.Tty ? monitorTtySize(ctx, client, `/containers/${info.Id}/resize`) : () => {};
      const outcome = await attached.done.finally(() => {
        stopResize();
        restoreTty();
      });
      if (stdin) ctx.stdin.pause();
      if (outcome === 'detached') return 0;
      const chunks: Buffer[] = [];
      for await (const c of waitRes) chunks.push(c as Buffer);
      return (JSON.parse(Buffer.concat(chunks).toString()) as { StatusCode: number }).StatusCode;
    }
    const failed: string[] = [];
    for (const a of args) {
      try {
        await client.post(`/containers/${enc(a)}/start`);
        ctx.stdout.write(`${a}\n`);
      } catch (err) {
        ctx.stderr.write(`${daemonError(err)}\n`);
        failed.push(a);
      }
    }
    if (failed.length) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
  },
};

const stopFlags = {
  signal: { type: 'string', short: 's', usage: 'Signal to send to the container' },
  time: { type: 'int', short: 't', usage: 'Seconds to wait before killing the container' },
} as const;

const stopCommand: Command = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  aliases: ['container stop'],
  minArgs: 1,
  flags: { ...stopFlags },
  run: (ctx, args, flags) =>
    each(ctx, args, async (a) => {
      await ctx.client().post(`/containers/${enc(a)}/stop`, { query: { t: flags.time as number | undefined, signal: flags.signal as string | undefined } });
      return a;
    }),
};

const restartCommand: Command = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  aliases: ['container restart'],
  minArgs: 1,
  flags: { ...stopFlags },
  run: (ctx, args, flags) =>
    each(ctx, args, async (a) => {
      await ctx.client().post(`/containers/${enc(a)}/restart`, { query: { t: flags.time as number | undefined, signal: flags.signal as string | undefined } });
      return a;
    }),
};

const killCommand: Command = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  aliases: ['container kill'],
  minArgs: 1,
  flags: { signal: { type: 'string', short: 's', usage: 'Signal to send to the container' } },
  run: (ctx, args, flags) =>
    each(ctx, args, async (a) => {
      await ctx.client().post(`/containers/${enc(a)}/kill`, { query: { signal: (flags.signal as string | undefined) || undefined } });
      return a;
    }),
};

const rmCommand: Command = {
  name: 'rm',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  aliases: ['container rm', 'container remove'],
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', usage: 'Force the removal of a running container (uses SIGKILL)' },
    link: { type: 'bool', short: 'l', usage: 'Remove the specified link' },
    volumes: { type: 'bool', short: 'v', usage: 'Remove anonymous volumes associated with the container' },
  },
  run: (ctx, args, flags) =>
    each(ctx, args, async (a) => {
      const { status } = await ctx.client().request('DELETE', `/containers/${enc(a.replace(/^\//, ''))}`, {
        query: { force: !!flags.force, v: !!flags.volumes, link: !!flags.link },
      });
      return status < 300 ? a : undefined;
    }),
};

const psHeaders: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
  Platform: 'PLATFORM',
};

export function formatPorts(ports: ContainerSummary['Ports']): string {
  const groups = new Map<string, string[]>();
  const out: string[] = [];
  for (const p of [...ports].sort((a, b) => a.PrivatePort - b.PrivatePort || a.Type.localeCompare(b.Type))) {
    if (p.PublicPort) {
      const ip = p.IP ?? '0.0.0.0';
      const host = ip.includes(':') ? `[${ip}]` : ip;
      out.push(`${host}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`);
    } else {
      const k = p.Type;
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(String(p.PrivatePort));
      out.push(`${p.PrivatePort}/${p.Type}`);
    }
  }
  return [...new Set(out)].join(', ');
}

function containerRow(c: ContainerSummary, trunc: boolean, now: number) {
  const names = c.Names.map((n) => n.replace(/^\//, ''));
  let image = c.Image || '<no image>';
  if (trunc && c.Image) {
    if (truncateId(c.ImageID) === truncateId(c.Image) && c.Image.startsWith('sha256:')) image = truncateId(c.Image);
    else image = c.Image.replace(/@sha256:[0-9a-f]+$/, '');
  }
  const labels = c.Labels ?? {};
  return makeRow('ContainerContext', {
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: image,
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    RunningFor: ago(c.Created, now),
    Ports: formatPorts(c.Ports ?? []),
    State: c.State,
    Status: c.Status,
    Size:
      c.SizeRw === undefined
        ? ''
        : `${size(c.SizeRw)} (virtual ${size(c.SizeRootFs ?? 0)})`,
    Names: (trunc ? names.filter((n) => !n.includes('/')) : names).join(','),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Label: (name: string) => labels[name] ?? '',
    Mounts: (c.Mounts ?? []).map((m) => (m.Name ? (trunc ? ellipsis(m.Name, 15) : m.Name) : m.Source)).join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Platform: '',
  });
}

const psCommand: Command = {
  name: 'ps',
  usage: '[OPTIONS]',
  description: 'List containers',
  aliases: ['container ls', 'container list', 'container ps'],
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all containers (default shows just running)' },
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    last: { type: 'int', short: 'n', usage: 'Show n last created containers (includes all states)', default: -1 },
    latest: { type: 'bool', short: 'l', usage: 'Show the latest created container (includes all states)' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', usage: 'Only display container IDs' },
    size: { type: 'bool', short: 's', usage: 'Display total file sizes' },
  },
  async run(ctx, _args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    let limit = (flags.last as number | undefined) ?? -1;
    if (flags.latest) limit = 1;
    const format = flags.format as string | undefined;
    const wantSize = !!flags.size || (!!format && format.includes('.Size'));
    const list = await ctx.client().get<ContainerSummary[]>('/containers/json', {
      all: !!flags.all,
      ...(limit > 0 ? { limit } : {}),
      size: wantSize,
      ...(Object.keys(filters).length ? { filters: JSON.stringify(filters) } : {}),
    });
    const trunc = !flags['no-trunc'];
    const now = Date.now();
    const rows = list.map((c) => containerRow(c, trunc, now));
    let defaultTable = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
    if (flags.size) defaultTable += '\t{{.Size}}';
    printRows(ctx, rows, { format, quiet: !!flags.quiet, quietField: 'ID', defaultTable, headers: psHeaders });
  },
};

const logsCommand: Command = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  aliases: ['container logs'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    details: { type: 'bool', usage: 'Show extra details provided to logs' },
    follow: { type: 'bool', short: 'f', usage: 'Follow log output' },
    since: { type: 'string', usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    tail: { type: 'string', short: 'n', usage: 'Number of lines to show from the end of the logs', default: 'all' },
    timestamps: { type: 'bool', short: 't', usage: 'Show timestamps' },
    until: { type: 'string', usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  },
  async run(ctx, args, flags) {
    const client = ctx.client();
    const info = await client.get<{ Id: string; Config: { Tty: boolean } }>(`/containers/${enc(args[0])}/json`);
    const res = await client.stream('GET', `/containers/${info.Id}/logs`, {
      query: {
        stdout: true,
        stderr: true,
        follow: !!flags.follow,
        timestamps: !!flags.timestamps,
        tail: (flags.tail as string | undefined) ?? 'all',
        ...(flags.since ? { since: parseTimestampArg(flags.since as string) } : {}),
        ...(flags.until ? { until: parseTimestampArg(flags.until as string) } : {}),
      },
    });
    await demux(
      res,
      (which, data) =>
        new Promise<void>((resolve) => {
          const out = which === 'stderr' ? ctx.stderr : ctx.stdout;
          if (out.write(data)) resolve();
          else out.once('drain', resolve);
        }),
      { raw: info.Config.Tty },
    );
  },
};

const waitCommand: Command = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  aliases: ['container wait'],
  minArgs: 1,
  flags: {},
  run: (ctx, args) =>
    each(ctx, args, async (a) => {
      const r = await ctx.client().post<{ StatusCode: number }>(`/containers/${enc(a)}/wait`);
      return String(r.StatusCode);
    }),
};

const renameCommand: Command = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  aliases: ['container rename'],
  minArgs: 2,
  maxArgs: 2,
  flags: {},
  async run(ctx, args) {
    const [old, name] = args;
    if (!name.trim()) throw new StatusError(1, 'Error: Neither old nor new names may be empty');
    try {
      await ctx.client().post(`/containers/${enc(old)}/rename`, { query: { name } });
    } catch (err) {
      throw new StatusError(1, `${daemonError(err)}\nError: failed to rename container named ${old}`);
    }
  },
};

async function inspectContainers(ctx: CliContext, client: Client, args: string[], flags: Record<string, unknown>): Promise<number> {
  return inspectEach(ctx, args, (a) => client.get(`/containers/${enc(a)}/json`, { size: !!flags.size }), {
    format: flags.format as string | undefined,
    errorText: (a, err) => (err instanceof ApiError && err.status === 404 ? `Error: No such container: ${a}` : daemonError(err)),
  });
}

const containerInspectCommand: Command = {
  name: 'inspect',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  minArgs: 1,
  flags: {
    format: { type: 'string', short: 'f', usage: 'Format output using a custom template' },
    size: { type: 'bool', short: 's', usage: 'Display total file sizes' },
  },
  run: (ctx, args, flags) => inspectContainers(ctx, ctx.client(), args, flags),
};

export const containerCommands: Command[] = [
  runCommand,
  createCommand,
  startCommand,
  stopCommand,
  restartCommand,
  killCommand,
  rmCommand,
  psCommand,
  logsCommand,
  waitCommand,
  renameCommand,
];

/** `berth container …` subcommands. */
export const containerSubcommands: Command[] = [
  ...containerCommands.map((c) => ({ ...c })),
  { ...psCommand, name: 'ls' },
  { ...psCommand, name: 'list' },
  { ...rmCommand, name: 'remove' },
  containerInspectCommand,
];

export { inspectContainers };
