// Healthchecks as dockerd runs them (daemon/health.go): the image's HEALTHCHECK or the
// --health-* options, probed in the running container every interval (every start interval
// while still `starting` within the start period), each probe an exec that is killed when it
// outlives its timeout. State.Health keeps the status, the failing streak and the last five
// results; a status change is a `health_status: …` event, and each probe shows as
// exec_create/exec_start/exec_die as dockerd's do. The state is saved with the container, so a
// berthd restart resumes probing where it was instead of starting over.
import { InvalidArgument } from '../errors/index.ts';
import { formatGoDuration, newId, type Clock, type ClockTimer, type Logger } from '../lib/index.ts';
import type { OciProcess } from '../runtime/index.ts';
import type { HealthConfig } from '../types/index.ts';
import { announce } from './announce.ts';
import type { Container, HealthResult, HealthState } from './container.ts';
import type { EngineContext } from './context.ts';

const second = 1_000_000_000;
const defaultIntervalNs = 30 * second;
const defaultTimeoutNs = 30 * second;
const defaultStartIntervalNs = 5 * second;
const defaultRetries = 3;
const maxLogEntries = 5;
const maxOutputLen = 4096;
const minimumDurationNs = 1_000_000;

/** dockerd's checks of a container's healthcheck (verifyContainerSettings), its messages. */
export function validateHealthcheck(h: HealthConfig | undefined): void {
  if (!h) return;
  const min = (v: number | undefined, what: string) => {
    if (v && v < minimumDurationNs) throw new InvalidArgument(`${what} in Healthcheck cannot be less than 1ms`);
  };
  min(h.Interval, 'Interval');
  min(h.Timeout, 'Timeout');
  if ((h.Retries ?? 0) < 0) throw new InvalidArgument('Retries in Healthcheck cannot be negative');
  min(h.StartPeriod, 'StartPeriod');
  min(h.StartInterval, 'StartInterval');
}

/** The probe's command, or undefined when the container has no healthcheck (none, NONE). */
export function probeCommand(c: Container): string[] | undefined {
  const test = c.record.Config.Healthcheck?.Test;
  if (!test?.length) return undefined;
  if (test[0] === 'CMD' && test.length > 1) return test.slice(1);
  if (test[0] === 'CMD-SHELL' && test.length > 1) return [...(c.record.Config.Shell?.length ? c.record.Config.Shell : ['/bin/sh', '-c']), test.slice(1).join(' ')];
  return undefined;
}

/** docker's Health.String(), for ps: "health: starting", "healthy", "unhealthy". */
export function healthString(h: HealthState): string {
  return h.Status === 'starting' ? 'health: starting' : h.Status;
}

const ns = (v: number | undefined, fallback: number) => (v && v > 0 ? v : fallback);

interface Monitor {
  stopped: boolean;
  timer?: ClockTimer;
  base?: OciProcess;
  /** When the health state was last saved (ms). */
  savedAt: number;
}

/** A result that changes neither status nor streak is saved at most this often. */
const saveEveryMs = 10_000;

export interface HealthMonitorsOptions {
  clock: Clock;
  log: Logger;
}

type HealthDeps = Pick<EngineContext, 'runtime' | 'store' | 'events'>;

/** The health monitors of the running containers. */
export class HealthMonitors {
  readonly #o: HealthMonitorsOptions;
  readonly #monitors = new WeakMap<Container, Monitor>();
  #ctx!: HealthDeps;

  constructor(options: HealthMonitorsOptions) {
    this.#o = options;
  }

  /** The engine's context, once it exists (it holds this object). */
  bind(ctx: HealthDeps): void {
    this.#ctx = ctx;
  }

  /**
   * The container started: its health is `starting` again and probing begins. `resume` (berthd
   * adopting a running container) keeps the state it had.
   */
  start(c: Container, options: { resume?: boolean } = {}): void {
    this.stop(c);
    if (!probeCommand(c)) return;
    if (!options.resume || !c.state.Health) c.record.State.Health = { Status: 'starting', FailingStreak: 0, Log: c.state.Health?.Log ?? [] };
    const m: Monitor = { stopped: false, savedAt: 0 };
    this.#monitors.set(c, m);
    this.#schedule(c, m);
  }

  /** The container stopped (or is going): no more probes; a running one's result is dropped. */
  stop(c: Container): void {
    const m = this.#monitors.get(c);
    if (!m) return;
    m.stopped = true;
    m.timer?.cancel();
    this.#monitors.delete(c);
  }

  #interval(c: Container): number {
    const h = c.record.Config.Healthcheck ?? {};
    const started = Date.parse(c.state.StartedAt);
    const inStartPeriod = this.#o.clock.now().getTime() - started < ns(h.StartPeriod, 0) / 1e6;
    return inStartPeriod && c.state.Health?.Status === 'starting' ? ns(h.StartInterval, defaultStartIntervalNs) : ns(h.Interval, defaultIntervalNs);
  }

  #schedule(c: Container, m: Monitor): void {
    m.timer = this.#o.clock.timer(this.#interval(c) / 1e6, () => {
      m.timer = undefined;
      void this.#probe(c, m).then(
        () => {
          if (!m.stopped) this.#schedule(c, m);
        },
        (err: unknown) => {
          this.#o.log.warn('healthcheck failed to run', { container: c.id, error: err });
          if (!m.stopped) this.#schedule(c, m);
        },
      );
    });
  }

  async #probe(c: Container, m: Monitor): Promise<void> {
    const ctx = this.#ctx;
    const cmd = probeCommand(c);
    if (!cmd || !c.state.Running || c.state.Restarting) return;
    const h = c.record.Config.Healthcheck ?? {};
    const timeoutNs = ns(h.Timeout, defaultTimeoutNs);
    const start = this.#o.clock.now();
    const probeId = newId();
    let result: HealthResult;
    try {
      // dockerd's exec refuses a paused container: the probe fails with its message
      if (c.state.Paused) throw new Error(`Container ${c.id} is paused, unpause the container before exec`);
      m.base ??= await ctx.runtime.baseProcess(c.id);
      const { consoleSize: _unused, ...base } = m.base;
      announce(ctx, c, `exec_create: ${cmd[0]} ${cmd.slice(1).join(' ')}`, { execID: probeId });
      announce(ctx, c, `exec_start: ${cmd[0]} ${cmd.slice(1).join(' ')}`, { execID: probeId });
      const r = await ctx.runtime.probe({ containerId: c.id, probeId, process: { ...base, terminal: false, args: cmd }, timeoutMs: timeoutNs / 1e6, maxOutput: maxOutputLen });
      const end = this.#o.clock.now();
      if (r.error !== undefined) {
        result = { Start: start.toISOString(), End: end.toISOString(), ExitCode: -1, Output: r.error };
      } else {
        announce(ctx, c, 'exec_die', { execID: probeId, exitCode: String(r.exitCode) });
        const out = r.output.toString('utf8') + (r.truncated ? '...' : '');
        result = r.timedOut
          ? { Start: start.toISOString(), End: end.toISOString(), ExitCode: -1, Output: `Health check exceeded timeout (${formatGoDuration(timeoutNs)})${out ? `: ${out}` : ''}` }
          : { Start: start.toISOString(), End: end.toISOString(), ExitCode: r.exitCode ?? -1, Output: out };
      }
    } catch (err) {
      result = { Start: start.toISOString(), End: this.#o.clock.now().toISOString(), ExitCode: -1, Output: (err as Error).message };
    }
    // stopped while probing (the container exited, was stopped or removed): the result is stale
    if (m.stopped) return;
    await this.#record(c, m, result);
  }

  /**
   * dockerd's handleProbeResult. A change of status or streak is saved at once; the log alone
   * at most every 10 s (a probe a second would otherwise rewrite the container's state file a
   * second); the exit that stops the monitor, or berthd's shutdown, saves the rest.
   */
  async #record(c: Container, m: Monitor, result: HealthResult): Promise<void> {
    const h = c.state.Health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
    const before = h.Status;
    const streak = h.FailingStreak;
    h.Log = [...h.Log, result].slice(-maxLogEntries);
    if (result.ExitCode === 0) {
      h.FailingStreak = 0;
      h.Status = 'healthy';
    } else {
      const config = c.record.Config.Healthcheck ?? {};
      // a failure while still starting, within the start period, does not count
      const sinceStart = Date.parse(result.Start) - Date.parse(c.state.StartedAt);
      if (!(h.Status === 'starting' && sinceStart < ns(config.StartPeriod, 0) / 1e6)) {
        h.FailingStreak++;
        if (h.FailingStreak >= ((config.Retries ?? 0) > 0 ? config.Retries! : defaultRetries)) h.Status = 'unhealthy';
      }
    }
    c.record.State.Health = h;
    const now = this.#o.clock.now().getTime();
    if (h.Status !== before || h.FailingStreak !== streak || now - m.savedAt >= saveEveryMs) {
      m.savedAt = now;
      await this.#ctx.store.saveState(c).catch((err: unknown) => this.#o.log.warn('saving the health state failed', { container: c.id, error: err }));
    }
    if (h.Status !== before) announce(this.#ctx, c, `health_status: ${h.Status}`);
  }
}
