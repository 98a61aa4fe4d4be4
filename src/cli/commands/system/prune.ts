// system prune: docker's client-side sweep — stopped containers, unused networks, anonymous
// volumes (--volumes), dangling images (every unused one with -a) and the build cache — each
// through its own prune endpoint with the same filters, then the space reclaimed in total.
import { ApiError } from '../../../client/index.ts';
import type { CliContext, CommandRun } from '../../command.ts';
import { StatusError, daemonCall } from '../../errors.ts';
import { filterMap } from '../../flags.ts';
import { confirm, size } from '../../util.ts';
import { runContainerPrune } from '../container/prune.ts';
import type { prune } from './specs.ts';

type Pruner = (ctx: CliContext, all: boolean, filters: Record<string, string[]>) => Promise<{ reclaimed: number; output: string }>;

const pruneNetworks: Pruner = async (ctx, _all, filters) => {
  const r = await daemonCall(ctx.client().networks.prune(filters));
  return { reclaimed: 0, output: r.NetworksDeleted?.length ? `Deleted Networks:\n${r.NetworksDeleted.map((n) => `${n}\n`).join('')}` : '' };
};

const pruneVolumes: Pruner = async (ctx, _all, filters) => {
  const r = await daemonCall(ctx.client().volumes.prune(filters));
  return { reclaimed: r.SpaceReclaimed ?? 0, output: r.VolumesDeleted?.length ? `Deleted Volumes:\n${r.VolumesDeleted.map((n) => `${n}\n`).join('')}` : '' };
};

const pruneImages: Pruner = async (ctx, all, filters) => {
  const r = await daemonCall(ctx.client().images.prune({ ...filters, dangling: [String(!all)] }));
  if (!r.ImagesDeleted?.length) return { reclaimed: 0, output: '' };
  let output = 'Deleted Images:\n';
  for (const d of r.ImagesDeleted) output += d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`;
  return { reclaimed: r.SpaceReclaimed, output };
};

const pruneBuildCache: Pruner = async (ctx, all, filters) => {
  let r;
  try {
    r = await ctx.client().system.pruneBuildCache({ all, filters });
  } catch (err) {
    // a daemon without a builder has no build cache to prune
    if (err instanceof ApiError && err.status === 404) return { reclaimed: 0, output: '' };
    throw new StatusError(1, (err as Error).message);
  }
  return { reclaimed: r.SpaceReclaimed ?? 0, output: r.CachesDeleted?.length ? `Deleted build cache objects:\n${r.CachesDeleted.map((n) => `${n}\n`).join('')}` : '' };
};

function warning(flags: { all: boolean; volumes: boolean }, filters: Record<string, string[]>): string {
  const items = ['all stopped containers', 'all networks not used by at least one container'];
  if (flags.volumes) items.push('all anonymous volumes not used by at least one container');
  items.push(flags.all ? 'all images without at least one container associated to them' : 'all dangling images');
  items.push(flags.all ? 'all build cache' : 'unused build cache');
  let text = `WARNING! This will remove:\n${items.map((i) => `  - ${i}\n`).join('')}`;
  const shown = ['label', 'label!', 'until'].flatMap((k) => (filters[k] ?? []).map((v) => `${k}=${v}`)).sort();
  if (shown.length) text += `\n  Items to be pruned will be filtered with:\n${shown.map((f) => `  - ${f}\n`).join('')}`;
  return `${text}\nAre you sure you want to continue?`;
}

export const pruneSystem: CommandRun<typeof prune.flags> = async (ctx, _args, flags) => {
  const filters = filterMap(flags.filter);
  if (flags.volumes && filters.until) throw new StatusError(1, 'ERROR: The "until" filter is not supported with "--volumes"');
  if (!flags.force && !(await confirm(ctx, warning({ all: !!flags.all, volumes: !!flags.volumes }, filters)))) {
    throw new StatusError(1, 'system prune has been cancelled');
  }
  const steps: Pruner[] = [(c, _a, f) => runContainerPrune(c, f), pruneNetworks, ...(flags.volumes ? [pruneVolumes] : []), pruneImages, pruneBuildCache];
  let total = 0;
  for (const step of steps) {
    const { reclaimed, output } = await step(ctx, !!flags.all, filters);
    total += reclaimed;
    if (output) ctx.stdout.write(`${output}\n`);
  }
  ctx.stdout.write(`Total reclaimed space: ${size(total)}\n`);
};
