// Moving images and file systems, and disk housekeeping: save, load, export, commit, image prune,
// system df — with docker's flags, messages and output.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, jsonMessages } from '../../client/index.ts';
import { goQuote } from '../../lib/index.ts';
import type { ContainerSummary, DeleteResponseItem, ImageSummary } from '../../types/index.ts';
import { StatusError, type CliContext, type Command } from '../command.ts';
import { makeRow, printRows } from '../format.ts';
import { ago, ellipsis, size, truncateId, confirm, parseRepoTag } from '../util.ts';
import { validFilter, filterMap } from '../flags.ts';
import { daemonError } from './container.ts';

const cowardly = 'cowardly refusing to save to a terminal. Use the -o flag or redirect';

/** docker's CopyToFile: a temporary file beside the target, renamed over it once complete. */
async function copyToFile(out: string, stream: Readable): Promise<void> {
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}`);
  try {
    await pipeline(stream, createWriteStream(tmp, { mode: 0o600 }));
    await fsp.rename(tmp, out);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

async function writeOutput(ctx: CliContext, output: string | undefined, stream: Readable): Promise<void> {
  if (output) {
    await copyToFile(output, stream);
    return;
  }
  try {
    await pipeline(stream, ctx.stdout, { end: false });
  } catch (err) {
    // the reader went away (`berth save x | head`): as a Go program killed by SIGPIPE, quietly
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw new StatusError(141);
    throw err;
  }
}

const saveCommand: Command = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  aliases: ['image save'],
  minArgs: 1,
  flags: { output: { type: 'string', short: 'o', usage: 'Write to a file, instead of STDOUT' } },
  async run(ctx, args, flags) {
    const output = flags.output as string | undefined;
    if (!output && ctx.stdout.isTTY) throw new StatusError(1, cowardly);
    try {
      const res = await ctx.client().stream('GET', '/images/get', { query: { names: args } });
      await writeOutput(ctx, output, res);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw new StatusError(1, daemonError(err));
    }
  },
};

const loadCommand: Command = {
  name: 'load',
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  aliases: ['image load'],
  maxArgs: 0,
  flags: {
    input: { type: 'string', short: 'i', usage: 'Read from tar archive file, instead of STDIN' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress the load output' },
  },
  async run(ctx, _args, flags) {
    const input = flags.input as string | undefined;
    let stream: NodeJS.ReadableStream;
    if (input) {
      const rs = createReadStream(input);
      await new Promise<void>((resolve, reject) => {
        rs.once('open', () => resolve());
        rs.once('error', (err: NodeJS.ErrnoException) => reject(new StatusError(1, `open ${input}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)));
      });
      stream = rs;
    } else {
      if (ctx.stdin.isTTY) throw new StatusError(1, 'requested load from stdin, but stdin is empty');
      stream = ctx.stdin;
    }
    // as docker: progress bars only for a terminal
    const quiet = !!flags.quiet || !ctx.stdout.isTTY;
    try {
      const res = await ctx.client().stream('POST', '/images/load', { query: { quiet }, stream, headers: { 'Content-Type': 'application/x-tar' } });
      for await (const m of jsonMessages(res)) {
        if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'load failed');
        if (m.stream) ctx.stdout.write(m.stream);
        else if (m.status && m.id) ctx.stdout.write(`${m.id}: ${m.status} ${m.progress ?? ''}\n`);
      }
    } catch (err) {
      throw new StatusError(1, err instanceof ApiError && err.status === 500 ? err.message : daemonError(err));
    }
  },
};

const exportCommand: Command = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  aliases: ['container export'],
  minArgs: 1,
  maxArgs: 1,
  flags: { output: { type: 'string', short: 'o', usage: 'Write to a file, instead of STDOUT' } },
  async run(ctx, args, flags) {
    const output = flags.output as string | undefined;
    if (!output && ctx.stdout.isTTY) throw new StatusError(1, cowardly);
    try {
      const res = await ctx.client().stream('GET', `/containers/${encodeURIComponent(args[0])}/export`);
      await writeOutput(ctx, output, res);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw new StatusError(1, daemonError(err));
    }
  },
};

const commitCommand: Command = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  aliases: ['container commit'],
  minArgs: 1,
  maxArgs: 2,
  flags: {
    author: { type: 'string', short: 'a', usage: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    change: { type: 'stringArray', short: 'c', usage: 'Apply Dockerfile instruction to the created image', valueName: 'list' },
    message: { type: 'string', short: 'm', usage: 'Commit message' },
    pause: { type: 'bool', short: 'p', usage: 'Pause container during commit', default: true },
  },
  async run(ctx, args, flags) {
    const [container, ref] = args;
    const { repo, tag } = parseRepoTag(ref);
    try {
      const res = await ctx.client().post<{ Id: string }>('/commit', {
        query: {
          container,
          repo,
          tag,
          comment: flags.message as string | undefined,
          author: flags.author as string | undefined,
          changes: (flags.change as string[] | undefined) ?? [],
          pause: flags.pause !== false,
        },
      });
      ctx.stdout.write(`${res.Id}\n`);
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
  },
};

const imagePruneCommand: Command = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused images',
  maxArgs: 0,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Remove all unused images, not just dangling ones' },
    filter: { type: 'stringArray', usage: "Provide filter values (e.g. 'until=<timestamp>')", valueName: 'filter', validate: validFilter },
    force: { type: 'bool', short: 'f', usage: 'Do not prompt for confirmation' },
  },
  async run(ctx, _args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    filters.dangling = [String(!flags.all)];
    const warning = flags.all
      ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?'
      : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
    let reclaimed = 0;
    if (flags.force || (await confirm(ctx, warning))) {
      let report: { ImagesDeleted: DeleteResponseItem[] | null; SpaceReclaimed: number };
      try {
        report = await ctx.client().post('/images/prune', { query: { filters: JSON.stringify(filters) } });
      } catch (err) {
        throw new StatusError(1, daemonError(err));
      }
      if (report.ImagesDeleted?.length) {
        let out = 'Deleted Images:\n';
        for (const d of report.ImagesDeleted) out += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
        ctx.stdout.write(`${out}\n`);
        reclaimed = report.SpaceReclaimed;
      }
    }
    ctx.stdout.write(`Total reclaimed space: ${size(reclaimed)}\n`);
  },
};

interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Array<{ Name: string; UsageData?: { Size: number; RefCount: number } }> | null;
  BuildCache?: Array<{ Size: number; InUse: boolean; Shared: boolean }> | null;
}

const pct = (part: number, total: number) => (total > 0 ? `${size(part)} (${Math.floor((part * 100) / total)}%)` : size(part));

const dfHeaders: Record<string, string> = {
  Type: 'TYPE',
  TotalCount: 'TOTAL',
  Active: 'ACTIVE',
  Size: 'SIZE',
  Reclaimable: 'RECLAIMABLE',
};

function summaryRows(du: DiskUsage) {
  const images = du.Images ?? [];
  const layers = du.LayersSize ?? 0;
  let usedByContainers = 0;
  for (const i of images) if (i.Containers > 0 && i.SharedSize !== -1) usedByContainers += (i.VirtualSize ?? i.Size) - i.SharedSize;
  const containers = du.Containers ?? [];
  const active = (c: ContainerSummary) => /running|paused|restarting/.test(c.State);
  const rw = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const rwIdle = containers.filter((c) => !active(c)).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const volumes = du.Volumes ?? [];
  const vSize = volumes.reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const vIdle = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const cache = du.BuildCache ?? [];
  const cSize = cache.reduce((n, c) => n + c.Size, 0);
  const cIdle = cache.filter((c) => !c.InUse && !c.Shared).reduce((n, c) => n + c.Size, 0);
  const row = (type: string, total: number, act: number, sz: string, reclaimable: string) =>
    makeRow('diskUsageContext', { Type: type, TotalCount: String(total), Active: String(act), Size: sz, Reclaimable: reclaimable });
  return [
    row('Images', images.length, images.filter((i) => i.Containers > 0).length, size(layers), pct(layers - usedByContainers, layers)),
    row('Containers', containers.length, containers.filter(active).length, size(rw), pct(rwIdle, rw)),
    row('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, size(vSize), pct(vIdle, vSize)),
    row('Build Cache', cache.length, cache.filter((c) => c.InUse).length, size(cSize), size(cIdle)),
  ];
}

function verbose(ctx: CliContext, du: DiskUsage): void {
  const now = Date.now();
  ctx.stdout.write('Images space usage:\n\n');
  const imageRows = (du.Images ?? []).map((i) => {
    const tag = (i.RepoTags ?? [])[0];
    const at = tag ? tag.lastIndexOf(':') : -1;
    return makeRow('imageContext', {
      Repository: tag && at > 0 ? tag.slice(0, at) : '<none>',
      Tag: tag && at > 0 ? tag.slice(at + 1) : '<none>',
      ID: truncateId(i.Id),
      CreatedSince: ago(i.Created, now),
      Size: size(i.Size),
      SharedSize: i.SharedSize < 0 ? 'N/A' : size(i.SharedSize),
      UniqueSize: i.SharedSize < 0 ? 'N/A' : size(i.Size - i.SharedSize),
      Containers: String(i.Containers),
    });
  });
  printRows(ctx, imageRows, {
    defaultTable: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
    headers: { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', Containers: 'CONTAINERS' },
  });
  ctx.stdout.write('\nContainers space usage:\n\n');
  const containerRows = (du.Containers ?? []).map((c) =>
    makeRow('ContainerContext', {
      ID: truncateId(c.Id),
      Image: c.Image,
      Command: goQuote(ellipsis(c.Command, 20)),
      LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
      Size: size(c.SizeRw ?? 0),
      RunningFor: ago(c.Created, now),
      Status: c.Status,
      Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
    }),
  );
  printRows(ctx, containerRows, {
    defaultTable: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}',
    headers: { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', RunningFor: 'CREATED', Status: 'STATUS', Names: 'NAMES' },
  });
  ctx.stdout.write('\nLocal Volumes space usage:\n\n');
  const volumeRows = (du.Volumes ?? []).map((v) =>
    makeRow('volumeContext', { Name: v.Name, Links: String(v.UsageData?.RefCount ?? 0), Size: (v.UsageData?.Size ?? -1) < 0 ? 'N/A' : size(v.UsageData!.Size) }),
  );
  printRows(ctx, volumeRows, { defaultTable: 'table {{.Name}}\t{{.Links}}\t{{.Size}}', headers: { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' } });
  const cacheSize = (du.BuildCache ?? []).reduce((n, c) => n + c.Size, 0);
  ctx.stdout.write(`\nBuild cache usage: ${size(cacheSize)}\n\n`);
  printRows(ctx, [], {
    defaultTable: 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}',
    headers: { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' },
  });
}

const systemDfCommand: Command = {
  name: 'df',
  usage: '[OPTIONS]',
  description: 'Show docker disk usage',
  maxArgs: 0,
  flags: {
    format: { type: 'string', usage: 'Pretty-print images using a Go template' },
    verbose: { type: 'bool', short: 'v', usage: 'Show detailed information on space usage' },
  },
  async run(ctx, _args, flags) {
    let du: DiskUsage;
    try {
      du = await ctx.client().get<DiskUsage>('/system/df');
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
    if (flags.verbose && !flags.format) {
      verbose(ctx, du);
      return;
    }
    printRows(ctx, summaryRows(du), {
      ...(flags.format ? { format: flags.format as string } : {}),
      defaultTable: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: dfHeaders,
    });
  },
};

export const transferCommands: Command[] = [saveCommand, loadCommand, exportCommand, commitCommand];
export const transferImageSubcommands: Command[] = [{ ...saveCommand }, { ...loadCommand }, { ...imagePruneCommand }];
export const transferContainerSubcommands: Command[] = [{ ...exportCommand }, { ...commitCommand }];
export const transferSystemSubcommands: Command[] = [systemDfCommand];
