// GET /containers/{id}/stats: readings of a container's cgroup, the machine's CPU time and the
// container's network counters, turned into dockerd's stats JSON. Every reading is paired with the
// one before it (precpu_stats), as `docker stats` computes CPU % from the two.
//
// Timing. dockerd samples every container once a second and a report without streaming waits for
// two samples (1–2 s). Here each request reads on its own schedule: a report takes a reading,
// waits `reportInterval` and answers with the second one, so `stats --no-stream` returns in 0.3 s
// with CPU figures over those 0.3 s (/proc/stat counts in 10 ms ticks: 60 of them on two CPUs, a
// figure within 2 %); a stream answers after the same 0.3 s and then every `streamInterval`, as
// dockerd does.
import { NotFound } from '../errors/index.ts';
import { buildStats, parseNetDev, parseProcStat, stoppedStats, type StatsJson, type StatsSample } from '../stats/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { cgroupsPathOf } from './governance.ts';

export interface StatsOptions {
  /** Keep reporting every second until the client goes. */
  stream: boolean;
  /** Answer at once with one reading (no precpu_stats); only without `stream`. */
  oneShot: boolean;
}

type StatsContext = Pick<EngineContext, 'cgroups' | 'proc' | 'clock' | 'config' | 'host' | 'store'>;

export const reportInterval = 300;
export const streamInterval = 1000;

interface Reading {
  sample: StatsSample;
  networks?: ReturnType<typeof parseNetDev>;
}

/** A container whose processes can be read: running (paused too), not between restarts. */
function readable(c: Container): boolean {
  return c.state.Running && !c.state.Restarting;
}

/** One reading, or undefined when the container stopped meanwhile (its cgroup is gone). */
async function read(ctx: StatsContext, c: Container): Promise<Reading | undefined> {
  const pid = c.state.Pid;
  let cgroup;
  try {
    cgroup = await ctx.cgroups.stats(cgroupsPathOf(ctx, c));
  } catch (err) {
    if (err instanceof NotFound) return undefined;
    throw err;
  }
  const { systemCpuUsage, onlineCpus } = parseProcStat(await ctx.proc.read('stat'));
  const sample: StatsSample = { readAt: ctx.clock.nowNs(), cgroup, systemCpuUsage, onlineCpus };
  // A container on the host's network has no interfaces of its own; dockerd reports none.
  if (c.hostConfig.NetworkMode === 'host' || pid <= 0) return { sample };
  try {
    return { sample, networks: parseNetDev(await ctx.proc.read(`${pid}/net/dev`)) };
  } catch {
    return { sample };
  }
}

function build(ctx: StatsContext, c: Container, cur: Reading, prev: Reading | undefined): StatsJson {
  return buildStats({
    id: c.id,
    name: c.name,
    sample: cur.sample,
    ...(prev ? { previous: prev.sample } : {}),
    machineMemory: ctx.host.machineMemory,
    ...(cur.networks ? { networks: cur.networks } : {}),
  });
}

/** Resolves after `ms`, or false at once when the client has gone. */
function sleep(ctx: StatsContext, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = ctx.clock.timer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function* containerStats(ctx: StatsContext, c: Container, options: StatsOptions, signal?: AbortSignal): AsyncGenerator<StatsJson> {
  const stopped = () => stoppedStats(c.id, c.name);
  if (!options.stream) {
    const first = readable(c) ? await read(ctx, c) : undefined;
    if (!first) return yield stopped();
    if (options.oneShot) return yield build(ctx, c, first, undefined);
    if (!(await sleep(ctx, reportInterval, signal))) return;
    const second = await read(ctx, c);
    return yield second ? build(ctx, c, second, first) : stopped();
  }
  let previous = readable(c) ? await read(ctx, c) : undefined;
  for (let interval = reportInterval; await sleep(ctx, interval, signal); interval = streamInterval) {
    if (ctx.store.find(c.id) !== c) return; // removed
    const current = readable(c) ? await read(ctx, c) : undefined;
    yield current ? build(ctx, c, current, previous) : stopped();
    previous = current;
  }
}
