// images: the image list, one row per tag, with docker's columns and --format.
import type { ImageSummary } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { filterMap } from '../../flags.ts';
import { makeRow, printRows } from '../../format.ts';
import { ago, goTimeString, size, truncateId } from '../../util.ts';
import type { images } from './specs.ts';

const imageHeaders: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
};

function splitRepoTag(t: string): [string, string] {
  const i = t.lastIndexOf(':');
  if (i < 0 || t.slice(i).includes('/')) return [t, '<none>'];
  return [t.slice(0, i), t.slice(i + 1)];
}

/** docker's image rows: one per tag; untagged images once as <none>. */
function imageRows(list: ImageSummary[], trunc: boolean, now: number, showDigests: boolean) {
  const rows: ReturnType<typeof makeRow>[] = [];
  for (const img of list) {
    const id = trunc ? truncateId(img.Id) : img.Id;
    const digests = new Map<string, string>();
    for (const d of img.RepoDigests ?? []) {
      const at = d.indexOf('@');
      if (at > 0) digests.set(d.slice(0, at), d.slice(at + 1));
    }
    const mk = (repo: string, tag: string, digest: string) =>
      makeRow('ImageContext', {
        ID: id,
        Repository: repo,
        Tag: tag,
        Digest: digest,
        CreatedSince: ago(img.Created, now),
        CreatedAt: goTimeString(img.Created),
        Size: size(img.Size),
        Containers: img.Containers < 0 ? 'N/A' : String(img.Containers),
        SharedSize: img.SharedSize < 0 ? 'N/A' : size(img.SharedSize),
        UniqueSize: img.SharedSize < 0 ? 'N/A' : size(img.Size - img.SharedSize),
        VirtualSize: size(img.VirtualSize ?? img.Size),
      });
    const tags = img.RepoTags ?? [];
    if (tags.length === 0) {
      if ((img.RepoDigests ?? []).length && showDigests) {
        for (const [repo, digest] of digests) rows.push(mk(repo, '<none>', digest));
      } else if ((img.RepoDigests ?? []).length) {
        const [repo] = [...digests.keys()];
        rows.push(mk(repo, '<none>', digests.get(repo) ?? '<none>'));
      } else rows.push(mk('<none>', '<none>', '<none>'));
      continue;
    }
    for (const t of tags) {
      const [repo, tag] = splitRepoTag(t);
      rows.push(mk(repo, tag, digests.get(repo) ?? '<none>'));
    }
  }
  return rows;
}

export const listImages: CommandRun<typeof images.flags> = async (ctx, args, flags) => {
  const filters = filterMap(flags.filter);
  if (args[0]) (filters.reference ??= []).push(args[0]);
  const list = await ctx.client().images.list({ all: !!flags.all, ...(Object.keys(filters).length ? { filters } : {}) });
  const trunc = !flags['no-trunc'];
  const rows = imageRows(list, trunc, Date.now(), !!flags.digests);
  if (flags.quiet) {
    const seen = new Set<string>();
    for (const r of rows) {
      const id = String((r as Record<string, unknown>).ID);
      if (!seen.has(id)) {
        seen.add(id);
        ctx.stdout.write(id + '\n');
      }
    }
    return;
  }
  const defaultTable = flags.digests
    ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
    : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
  printRows(ctx, rows, { format: flags.format, defaultTable, headers: imageHeaders });
};
