// stats: docker's live table of containers' CPU, memory, network, block I/O and pids. One stats
// stream per container (or one reading each with --no-stream); the table is drawn every half
// second, in place on a terminal. Without names it follows the running containers (all with -a),
// looking again once a second for new and gone ones.
import type { ApiResponse, Client } from '../../../client/index.ts';
import { formatStatsRow, invalidStatsEntry, statsEntry, type StatsEntry, type StatsJson, defaultStatsFormat, statsHeaders } from '../../../stats/index.ts';
import { TemplateError, asStruct, renderFormat } from '../../../template/index.ts';
import type { CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import type { stats } from './specs.ts';

/** docker marks a container whose stream has said nothing for this long as unreadable ("--"). */
const staleAfterMs = 2000;
const redrawMs = 500;
const relistMs = 1000;

interface Tracked {
  /** What the user named the container by (or its short id). */
  container: string;
  entry: StatsEntry;
  error?: unknown;
  /** When the last reading arrived (ms), 0 before the first. */
  last: number;
  response?: ApiResponse;
  first: Promise<void>;
}

/** Reads one container's stats stream into `t`, resolving `first` at the first reading or failure. */
function collect(client: Client, t: Tracked, stream: boolean, firstDone: () => void): void {
  let settled = false;
  const settle = () => {
    if (!settled) {
      settled = true;
      firstDone();
    }
  };
  const timeout = setTimeout(() => {
    if (t.last === 0) t.error ??= new Error('timeout waiting for stats');
    settle();
  }, staleAfterMs);
  void (async () => {
    try {
      const res = await client.containers.stats(t.container, { stream });
      t.response = res;
      res.setEncoding('utf8');
      let buf = '';
      for await (const chunk of res as AsyncIterable<string>) {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          t.entry = statsEntry(JSON.parse(line) as StatsJson, t.container);
          t.error = undefined;
          t.last = Date.now();
          settle();
          if (!stream) {
            res.destroy();
            return;
          }
        }
      }
    } catch (err) {
      t.error = err;
      t.entry = invalidStatsEntry(t.container);
    } finally {
      clearTimeout(timeout);
      settle();
    }
  })();
}

function render(tracked: readonly Tracked[], format: string | undefined, truncate: boolean): string {
  const now = Date.now();
  const rows = tracked.map((t) => {
    const stale = t.error !== undefined || now - t.last > staleAfterMs;
    const entry = stale ? { ...invalidStatsEntry(t.container, t.entry.id, t.entry.name) } : t.entry;
    return asStruct(formatStatsRow(entry, { truncate }), '*container.statsContext');
  });
  try {
    return renderFormat(format, rows, { defaultTable: defaultStatsFormat, headers: statsHeaders });
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, `template parsing error: ${err.message}`);
    throw err;
  }
}

export const showStats: CommandRun<typeof stats.flags> = async (ctx, args, flags) => {
  const client = ctx.client();
  const stream = !flags['no-stream'];
  const showAll = args.length === 0;
  const tracked: Tracked[] = [];
  const add = (container: string): Tracked | undefined => {
    if (tracked.some((t) => t.container === container)) return undefined;
    let firstDone!: () => void;
    const first = new Promise<void>((r) => (firstDone = r));
    const t: Tracked = { container, entry: invalidStatsEntry(container), last: 0, first };
    tracked.push(t);
    collect(client, t, stream, firstDone);
    return t;
  };
  const listed = async () => (await client.containers.list({ all: !!flags.all, size: false })).map((c) => c.Id.slice(0, 12));
  if (showAll) {
    let ids: string[];
    try {
      ids = await listed();
    } catch (err) {
      throw new StatusError(1, daemonError(err));
    }
    for (const id of ids) add(id);
  } else for (const name of args) add(name);
  await Promise.all(tracked.map((t) => t.first));
  if (!showAll) {
    const errors = tracked.filter((t) => t.error !== undefined && t.last === 0).map((t) => daemonError(t.error));
    if (errors.length) {
      for (const t of tracked) t.response?.destroy();
      throw new StatusError(1, errors.join('\n'));
    }
  }
  const truncate = !flags['no-trunc'];
  if (!stream) {
    ctx.stdout.write(render(tracked, flags.format, truncate));
    return 0;
  }
  const tty = !!ctx.stdout.isTTY;
  if (tty) ctx.stdout.write('\x1b[2J');
  let lastList = Date.now();
  for (;;) {
    const text = render(tracked, flags.format, truncate);
    // On a terminal: back to the top-left, each line erased to its end, the rest of the screen cleared.
    ctx.stdout.write(tty ? `\x1b[H${text.split('\n').slice(0, -1).map((l) => `${l}\x1b[K\n`).join('')}\x1b[J` : text);
    if (!showAll && tracked.length === 0) return 0;
    await new Promise((r) => setTimeout(r, redrawMs));
    if (showAll && Date.now() - lastList >= relistMs) {
      lastList = Date.now();
      const ids = await listed().catch(() => undefined);
      if (ids) {
        for (const id of ids) add(id);
        for (const t of [...tracked]) {
          if (ids.includes(t.container)) continue;
          t.response?.destroy();
          tracked.splice(tracked.indexOf(t), 1);
        }
      }
    }
  }
};
