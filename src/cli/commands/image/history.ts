// history: the layers an image was built from.
import type { CommandRun } from '../../command.ts';
import { daemonCall } from '../../errors.ts';
import { makeRow, printRows } from '../../format.ts';
import { ago, ellipsis, goTimeString, size, truncateId } from '../../util.ts';
import type { history } from './specs.ts';

const historyHeaders: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export const showHistory: CommandRun<typeof history.flags> = async (ctx, args, flags) => {
  const list = await daemonCall(ctx.client().images.history(args[0]));
  const trunc = !flags['no-trunc'];
  const human = flags.human;
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
    format: flags.format,
    quiet: !!flags.quiet,
    quietField: 'ID',
    defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
    headers: historyHeaders,
  });
};
