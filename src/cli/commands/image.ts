// Image commands: images, rmi, tag, history, import, pull, image inspect.
import { createReadStream } from 'node:fs';
import { ApiError, jsonMessages } from '../../client/index.ts';
import type { DeleteResponseItem, ImageHistoryEntry, ImageSummary } from '../../types/index.ts';
import { StatusError, type CliContext, type Command } from '../command.ts';
import { inspectEach, makeRow, printRows } from '../format.ts';
import { showProgress } from '../streams.ts';
import { ago, ellipsis, goTimeString, size, truncateId, parseRepoTag } from '../util.ts';
import { validFilter, filterMap } from '../flags.ts';
import { daemonError } from './container.ts';
import { dockerHubServer, registryAuthFor, registryOf } from './registry.ts';

const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/');

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

const imagesCommand: Command = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  aliases: ['image ls', 'image list'],
  maxArgs: 1,
  flags: {
    all: { type: 'bool', short: 'a', usage: 'Show all images (default hides intermediate images)' },
    digests: { type: 'bool', usage: 'Show digests' },
    filter: { type: 'stringArray', short: 'f', usage: 'Filter output based on conditions provided', valueName: 'filter', validate: validFilter },
    format: { type: 'string', usage: 'Format output using a custom template' },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', usage: 'Only show image IDs' },
  },
  async run(ctx, args, flags) {
    const filters = filterMap(flags.filter as string[] | undefined);
    if (args[0]) (filters.reference ??= []).push(args[0]);
    const list = await ctx.client().get<ImageSummary[]>('/images/json', {
      all: !!flags.all,
      ...(Object.keys(filters).length ? { filters: JSON.stringify(filters) } : {}),
    });
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
    printRows(ctx, rows, { format: flags.format as string | undefined, defaultTable, headers: imageHeaders });
  },
};

const rmiCommand: Command = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  aliases: ['image rm', 'image remove'],
  minArgs: 1,
  flags: {
    force: { type: 'bool', short: 'f', usage: 'Force removal of the image' },
    'no-prune': { type: 'bool', usage: 'Do not delete untagged parents' },
  },
  async run(ctx, args, flags) {
    let failed = false;
    for (const a of args) {
      try {
        const { body } = await ctx.client().request<DeleteResponseItem[]>('DELETE', `/images/${enc(a)}`, {
          query: { force: !!flags.force, noprune: !!flags['no-prune'] },
        });
        for (const item of body ?? []) {
          if (item.Untagged) ctx.stdout.write(`Untagged: ${item.Untagged}\n`);
          if (item.Deleted) ctx.stdout.write(`Deleted: ${item.Deleted}\n`);
        }
      } catch (err) {
        failed = true;
        ctx.stderr.write(`${daemonError(err)}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

const tagCommand: Command = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  aliases: ['image tag'],
  minArgs: 2,
  maxArgs: 2,
  flags: {},
  async run(ctx, args) {
    const [source, target] = args;
    let repo = target;
    let tag: string | undefined;
    const at = target.indexOf('@');
    if (at < 0) {
      const i = target.lastIndexOf(':');
      if (i > target.lastIndexOf('/')) {
        repo = target.slice(0, i);
        tag = target.slice(i + 1);
      }
    }
    try {
      await ctx.client().post(`/images/${enc(source)}/tag`, { query: { repo, tag } });
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
  },
};

const historyHeaders: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

const historyCommand: Command = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  description: 'Show the history of an image',
  aliases: ['image history'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    format: { type: 'string', usage: 'Format output using a custom template' },
    human: { type: 'bool', short: 'H', usage: 'Print sizes and dates in human readable format', default: true },
    'no-trunc': { type: 'bool', usage: "Don't truncate output" },
    quiet: { type: 'bool', short: 'q', usage: 'Only show image IDs' },
  },
  async run(ctx, args, flags) {
    const list = await ctx.client().get<ImageHistoryEntry[]>(`/images/${enc(args[0])}/history`).catch((err: unknown) => {
      throw new StatusError(1, daemonError(err));
    });
    const trunc = !flags['no-trunc'];
    const human = flags.human !== false;
    const now = Date.now();
    const rows = list.map((h) =>
      makeRow('HistoryContext', {
        ID: h.Id.startsWith('<') ? h.Id : trunc ? truncateId(h.Id) : h.Id,
        CreatedSince: human ? ago(h.Created, now) : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
        CreatedAt: human ? goTimeString(h.Created) : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
        CreatedBy: trunc ? ellipsis(h.CreatedBy.replace(/\t/g, ' '), 45) : h.CreatedBy.replace(/\t/g, ' '),
        Size: human ? size(h.Size) : String(h.Size),
        Comment: h.Comment,
      }),
    );
    printRows(ctx, rows, {
      format: flags.format as string | undefined,
      quiet: !!flags.quiet,
      quietField: 'ID',
      defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
      headers: historyHeaders,
    });
  },
};

const importCommand: Command = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  aliases: ['image import'],
  minArgs: 1,
  maxArgs: 2,
  flags: {
    change: { type: 'stringArray', short: 'c', usage: 'Apply Dockerfile instruction to the created image', valueName: 'list' },
    message: { type: 'string', short: 'm', usage: 'Set commit message for imported image' },
    platform: { type: 'string', usage: 'Set platform if server is multi-platform capable' },
  },
  async run(ctx, args, flags) {
    const [src, ref] = args;
    if (/^https?:\/\//.test(src)) throw new StatusError(1, 'importing from a URL is not supported; download the file and import it');
    let stream: NodeJS.ReadableStream;
    if (src === '-') stream = ctx.stdin;
    else {
      const rs = createReadStream(src);
      await new Promise<void>((resolve, reject) => {
        rs.once('open', () => resolve());
        rs.once('error', (err: NodeJS.ErrnoException) => reject(new StatusError(1, `open ${src}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)));
      });
      stream = rs;
    }
    const { repo, tag } = parseRepoTag(ref);
    try {
      const res = await ctx.client().stream('POST', '/images/create', {
        query: { fromSrc: '-', repo, tag, message: flags.message as string | undefined, changes: (flags.change as string[] | undefined) ?? [] },
        stream,
      });
      for await (const m of jsonMessages(res)) {
        if (m.error || m.errorDetail) throw new ApiError(500, m.errorDetail?.message ?? m.error ?? 'import failed');
        if (m.status) ctx.stdout.write(`${m.status}\n`);
      }
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
  },
};

const pullCommand: Command = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  aliases: ['image pull'],
  minArgs: 1,
  maxArgs: 1,
  flags: {
    'all-tags': { type: 'bool', short: 'a', usage: 'Download all tagged images in the repository' },
    platform: { type: 'string', usage: 'Set platform if server is multi-platform capable' },
    quiet: { type: 'bool', short: 'q', usage: 'Suppress verbose output' },
  },
  async run(ctx, args, flags) {
    const name = args[0];
    const lastPart = name.slice(name.lastIndexOf('/') + 1);
    const hasTag = /[:@]/.test(lastPart);
    if (flags['all-tags'] && hasTag) throw new StatusError(1, 'tag can\'t be used with --all-tags/-a');
    try {
      if (!hasTag && !flags['all-tags']) ctx.stdout.write('Using default tag: latest\n');
      const fromImage = !hasTag && !flags['all-tags'] ? `${name}:latest` : name;
      const res = await ctx.client().stream('POST', '/images/create', {
        query: { fromImage, ...(flags.platform ? { platform: flags.platform as string } : {}) },
        headers: { 'X-Registry-Auth': registryAuthFor(ctx, registryOf(name)) },
      });
      await showProgress(ctx, res, { quiet: !!flags.quiet });
      if (flags.quiet) {
        // docker prints the full reference: docker.io/library/busybox:latest, docker.io/user/app:1
        const hub = registryOf(name) === dockerHubServer && !/^(docker\.io|index\.docker\.io)\//.test(name);
        ctx.stdout.write(`${hub ? `docker.io/${name.includes('/') ? '' : 'library/'}` : ''}${fromImage}\n`);
      }
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
  },
};

async function inspectImages(ctx: CliContext, args: string[], flags: Record<string, unknown>): Promise<number> {
  return inspectEach(ctx, args, (a) => ctx.client().get(`/images/${enc(a)}/json`), {
    format: flags.format as string | undefined,
    errorText: (a, err) => (err instanceof ApiError && err.status === 404 ? `Error: No such image: ${a}` : daemonError(err)),
  });
}

const imageInspectCommand: Command = {
  name: 'inspect',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  minArgs: 1,
  flags: { format: { type: 'string', short: 'f', usage: 'Format output using a custom template' } },
  run: (ctx, args, flags) => inspectImages(ctx, args, flags),
};

export const imageCommands: Command[] = [imagesCommand, rmiCommand, tagCommand, historyCommand, importCommand, pullCommand];

export const imageSubcommands: Command[] = [
  { ...imagesCommand, name: 'ls' },
  { ...imagesCommand, name: 'list' },
  { ...rmiCommand, name: 'rm' },
  { ...rmiCommand, name: 'remove' },
  { ...tagCommand },
  { ...historyCommand },
  { ...importCommand },
  { ...pullCommand },
  imageInspectCommand,
];
