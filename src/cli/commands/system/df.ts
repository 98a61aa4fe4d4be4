// system df: disk usage by images, containers, local volumes and the build cache.
import { goQuote } from '../../../lib/index.ts';
import type { ContainerSummary, DiskUsage } from '../../../types/index.ts';
import type { CliContext, CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { makeRow, printRows } from '../../format.ts';
import { ago, ellipsis, size, truncateId } from '../../util.ts';
import type { df } from './specs.ts';

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

export const diskUsage: CommandRun<typeof df.flags> = async (ctx, _args, flags) => {
  const du = await daemonCall(ctx.client().system.diskUsage());
  if (flags.verbose && !flags.format) {
    verbose(ctx, du);
    return;
  }
  printRows(ctx, summaryRows(du), {
    ...(flags.format ? { format: flags.format } : {}),
    defaultTable: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
    headers: dfHeaders,
  });
};
