// What berthd makes consistent at start-up besides adopting running containers (engine.ts): the
// runtime state of containers it has no record of, containers a crash caught between `runc
// create` and `runc start`, mounts no running container uses, and the temporary files of record
// writes a crash cut short. A crash may come at any instruction; each step assumes nothing about
// how far the interrupted operation got.
import { removeAtomicTemps } from '../lib/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { recordExit } from './exit.ts';

/** The exit code and error of a container whose start a crash interrupted: dockerd's for a failed start. */
export const interruptedStartExit = {
  exitCode: 128,
  error: 'berthd stopped while starting the container: its command never ran',
};

/** How long a killed process's monitor gets to record the exit before its state is deleted. */
const exitWaitMs = 2000;

async function waitForExit(ctx: Pick<EngineContext, 'runtime'>, id: string): Promise<void> {
  const deadline = Date.now() + exitWaitMs;
  while (Date.now() < deadline && !(await ctx.runtime.exitStatus(id)) && (await ctx.runtime.isAlive(id))) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills what runs of a container and forgets its runtime state (bundle, monitor, exit file). */
async function endRuntimeState(ctx: Pick<EngineContext, 'runtime' | 'log'>, id: string): Promise<void> {
  if (await ctx.runtime.isAlive(id)) {
    await ctx.runtime.kill(id, 9, { all: true }).catch((err: unknown) => ctx.log.debug('kill of a stray container failed', { container: id, error: err }));
    // the monitor records the exit and leaves; deleting before that would race its last writes
    await waitForExit(ctx, id);
  }
  await ctx.runtime.delete(id);
}

/**
 * Runtime state of containers without a record: a process that runs with nothing to show or
 * control it. (A create never reaches the runtime and a removal deletes the runtime state first,
 * so this is what a crash or an outside hand left.)
 */
export async function removeStrayRuntimeState(ctx: Pick<EngineContext, 'runtime' | 'log'>, known: ReadonlySet<string>): Promise<void> {
  for (const id of await ctx.runtime.list()) {
    if (known.has(id)) continue;
    ctx.log.warn('removing runtime state of a container berthd has no record of', { container: id });
    await endRuntimeState(ctx, id);
  }
}

/**
 * Whether the container's process was created but never started: berthd stopped between `runc
 * create` and `runc start`. Its process is still runc's init, waiting, and its command never ran.
 */
export async function neverStarted(ctx: Pick<EngineContext, 'runtime'>, c: Container): Promise<boolean> {
  return (await ctx.runtime.status(c.id)) === 'created';
}

/**
 * Settles such a container as a failed start: its process is killed, what the start took is
 * released, and it shows exited (or created, when it never ran before) with an error — never
 * running. Starting it instead would run it on a setup the crash may have cut short.
 */
export async function settleInterruptedStart(ctx: EngineContext, c: Container): Promise<void> {
  ctx.log.warn('container was being started when berthd stopped; marking it exited', { container: c.id });
  await endInterruptedStart(ctx, c);
  await recordExit(ctx, c, { exitCode: interruptedStartExit.exitCode, finishedAt: ctx.clock.now(), oomKilled: false, error: interruptedStartExit.error });
}

/** Ends the waiting process of a start that never reached `runc start` and forgets its runtime state. */
export async function endInterruptedStart(ctx: Pick<EngineContext, 'runtime' | 'log'>, c: Container): Promise<void> {
  await endRuntimeState(ctx, c.id);
}

/** Temporary files of record writes a crash cut short, in every container's directory. */
export async function removeRecordTemps(ctx: Pick<EngineContext, 'log'>, containers: readonly Container[]): Promise<void> {
  for (const c of containers) {
    const removed = await removeAtomicTemps(c.dir);
    if (removed.length) ctx.log.info('removed temporary files of interrupted writes', { container: c.id, files: removed });
  }
}
