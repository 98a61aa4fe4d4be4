// POST /containers/{id}/kill and /stop, and restart built on them.
import { Conflict, NotModified } from '../errors/index.ts';
import { parseSignal } from '../lib/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { settleStopped } from './exit.ts';
import { thawForSignal } from './pause.ts';
import { announce } from './announce.ts';

const SIGKILL = 9;

type KillDeps = Pick<EngineContext, 'runtime' | 'store' | 'events' | 'reconcile' | 'restarts' | 'network' | 'log'>;

/** Whether a signal the user sends is meant to stop the container (dockerd's ExitOnNext rule). */
export function stopsContainer(c: Container, signal: number): boolean {
  const stopSignal = c.record.Config.StopSignal;
  return !stopSignal || signal === SIGKILL || parseSignal(stopSignal).number === signal;
}

/**
 * dockerd's killWithSignal bookkeeping: the container was stopped by hand (unless-stopped stays
 * stopped), and a signal that stops it (SIGKILL, its stop signal, or any signal when it has none)
 * cancels its restart policy until the next user start. A container waiting for its restart has
 * no process to signal: cancelling the restart stops it. Returns whether it was restarting.
 */
async function stoppedByHand(ctx: KillDeps, c: Container, signal: number, options: { byDaemon?: boolean } = {}): Promise<boolean> {
  // berthd stopping containers as it shuts down is no user's stop (dockerd's IsShuttingDown)
  if (!options.byDaemon) c.record.HasBeenManuallyStopped = true;
  const stops = stopsContainer(c, signal);
  if (stops) ctx.restarts.cancel(c);
  const restarting = c.state.Restarting;
  if (restarting && stops) await settleStopped(ctx, c);
  else await ctx.store.saveState(c);
  return restarting;
}

/** The longest delay a Node timer can hold (a longer one fires at once): about 24.8 days. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * Waits for the container to stop, at most `ms`; true if it stopped. A negative wait is dockerd's
 * "forever", and so is one longer than a timer can hold: nobody waits 25 days for a stop, and
 * firing at once instead would kill the container the user gave all that time.
 */
async function waitStopped(ctx: Pick<EngineContext, 'reconcile'>, c: Container, ms: number): Promise<boolean> {
  if (!c.state.Running) return true;
  const ac = new AbortController();
  const waiting = c.wait('not-running', ac.signal).then(
    () => true,
    () => false,
  );
  // conmon's exit file may have landed before the watcher fired: look once more.
  void ctx.reconcile(c);
  if (ms < 0 || ms > maxTimerMs) return waiting;
  const timer = new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref());
  const stopped = await Promise.race([waiting, timer]);
  ac.abort();
  return stopped || !c.state.Running;
}

/** `ref` is how the client named the container; dockerd's messages repeat it. */
export async function killContainer(ctx: KillDeps, c: Container, signal: number, ref = c.id): Promise<void> {
  if (!c.state.Running) throw new Conflict(`Cannot kill container: ${ref}: Container ${c.id} is not running`);
  if (await stoppedByHand(ctx, c, signal)) {
    announce(ctx, c, 'kill', { signal: String(signal) });
    return;
  }
  try {
    await ctx.runtime.kill(c.id, signal, { all: signal === SIGKILL });
    await thawForSignal(ctx, c);
  } catch (err) {
    // It may have exited between our check and the signal (and be waiting for its restart).
    await ctx.reconcile(c);
    if (c.state.Running && !c.state.Restarting) throw err;
    if (c.state.Restarting) announce(ctx, c, 'kill', { signal: String(signal) });
    return;
  }
  announce(ctx, c, 'kill', { signal: String(signal) });
  if (signal === SIGKILL && !(await waitStopped(ctx, c, 10_000))) {
    throw new Conflict(`Cannot kill container: ${c.id}: container did not exit after SIGKILL`);
  }
}

export async function stopContainer(ctx: KillDeps, c: Container, options: { timeout?: number; signal?: string; byDaemon?: boolean } = {}): Promise<void> {
  if (!c.state.Running) throw new NotModified();
  const signal = parseSignal(options.signal || c.record.Config.StopSignal || 'SIGTERM').number;
  const timeout = options.timeout ?? c.record.Config.StopTimeout ?? 10;
  c.stopping = true;
  try {
    if (await stoppedByHand(ctx, c, SIGKILL, options)) return;
    if (signal !== SIGKILL) {
      try {
        await ctx.runtime.kill(c.id, signal);
        await thawForSignal(ctx, c);
        announce(ctx, c, 'kill', { signal: String(signal) });
      } catch {
        // already gone, or unkillable with this signal: fall through to SIGKILL
      }
      if (await waitStopped(ctx, c, timeout < 0 ? -1 : timeout * 1000)) return;
    }
    try {
      await ctx.runtime.kill(c.id, SIGKILL, { all: true });
      await thawForSignal(ctx, c);
      announce(ctx, c, 'kill', { signal: String(SIGKILL) });
    } catch {
      // exited meanwhile
    }
    if (!(await waitStopped(ctx, c, 30_000))) throw new Conflict(`container ${c.id} did not stop after SIGKILL`);
  } finally {
    c.stopping = false;
    announce(ctx, c, 'stop');
  }
}
