// search: images on the registry's index, filtered and shown as docker does.
import type { ImageSearchResult } from '../../../types/index.ts';
import type { CommandRun } from '../../command.ts';
import { ApiError } from '../../../client/index.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { makeRow, printRows } from '../../format.ts';
import type { search } from './specs.ts';

export const searchImages: CommandRun<typeof search.flags> = async (ctx, args, flags) => {
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) throw new StatusError(1, 'Error response from daemon: limit 0 is outside the range of [1, 100]');
  let results: ImageSearchResult[];
  try {
    results = await ctx.client().registry.search(args[0], { limit });
  } catch (err) {
    // a daemon that cannot be reached is reported with the "Error: " prefix here, unlike elsewhere
    throw new StatusError(1, err instanceof ApiError ? daemonError(err) : String(err));
  }
  let stars = 0;
  let official: boolean | undefined;
  for (const f of flags.filter ?? []) {
    const [k, v] = f.split('=');
    if (k === 'stars') stars = Number(v);
    else if (k === 'is-official') official = v === 'true';
    else throw new StatusError(1, `Error response from daemon: invalid filter '${k}'`);
  }
  const trunc = !flags['no-trunc'];
  const rows = results
    .filter((r) => r.star_count >= stars && (official === undefined || r.is_official === official))
    .map((r) =>
      makeRow('SearchContext', {
        Name: r.name,
        Description: trunc && r.description.length > 45 ? `${r.description.slice(0, 44)}…` : r.description,
        StarCount: String(r.star_count),
        IsOfficial: r.is_official ? '[OK]' : '',
      }),
    );
  printRows(ctx, rows, {
    format: flags.format,
    defaultTable: 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}',
    headers: { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL' },
  });
};
