// Restart policies as dockerd applies them (restartmanager/restartmanager.go, daemon/monitor.go):
// at each exit the container's policy decides, and a restart waits a backoff that starts at
// 100 ms and doubles up to a minute, back to 100 ms once a run lasted 10 s. Meanwhile the
// container is `restarting` (State.Running and State.Restarting, Pid 0). A stop or a kill the
// user asks for cancels the manager until the next user start; a user start (or restart) resets
// the manager and RestartCount. berthd's own start applies the policies once more to the
// containers that are not running (dockerd's restore): `always` comes back even after a stop,
// `unless-stopped` only if it was not stopped, `on-failure` if it exited non-zero.
//
// The backoff runs from the moment the exit is seen, while the run's resources are released,
// rather than after the release as in dockerd: the delay is the policy's, the release is not
// added to it. And the restart is prepared during the backoff's last half second (layers,
// network, files, `runc create`): when the delay is over only `runc start` remains, so the
// process runs again about when the policy says, not a container set-up later.
import { Conflict, InvalidArgument } from '../errors/index.ts';
import type { Clock, ClockTimer, Logger } from '../lib/index.ts';
import type { RestartPolicy } from '../types/index.ts';
import type { Container } from './container.ts';

export const initialBackoffMs = 100;
export const maxBackoffMs = 60_000;
/** A run at least this long resets the backoff. */
export const resetAfterMs = 10_000;
/** How long before the end of the backoff the restart is prepared. */
export const prepareLeadMs = 500;

/** A restart cancelled while it was prepared (the container is stopped by whoever cancelled). */
export class RestartCancelled extends Error {
  constructor() {
    super('restart cancelled');
  }
}

/** A scheduled restart: its preparation timer, and the end of the backoff it waits for. */
interface Pending {
  prepare: ClockTimer;
  due: ClockTimer;
  /** Rejects the deadline: the restart being prepared is abandoned. */
  abort(): void;
}

const policyNames = new Set(['', 'no', 'always', 'unless-stopped', 'on-failure']);

/** dockerd's checks of a restart policy (runconfig and daemon/container.go), its messages. */
export function validateRestartPolicy(p: RestartPolicy, autoRemove: boolean): void {
  if (!policyNames.has(p.Name)) throw new InvalidArgument(`invalid restart policy '${p.Name}'`);
  if (p.MaximumRetryCount < 0) throw new InvalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (p.Name !== 'on-failure' && p.MaximumRetryCount > 0) {
    throw new InvalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (autoRemove && p.Name !== '' && p.Name !== 'no') throw new InvalidArgument(`can't create 'AutoRemove' container with restart policy`);
}

interface Backoff {
  /** The delay of the last restart; 0 before the first. */
  delayMs: number;
  /** Restarts since the manager was made (on-failure's count). */
  count: number;
  /** A user stop or kill: no more restarts until the next user start. */
  canceled: boolean;
  pending?: Pending;
}

export interface RestartManagerOptions {
  clock: Clock;
  log: Logger;
  /**
   * Starts a container the policy restarts (under its lock), its process let run only once
   * `deadline` resolves; throws when it cannot (RestartCancelled when the deadline rejects).
   */
  restart(c: Container, deadline: Promise<void>): Promise<void>;
  /** A restart that failed or was cancelled: the container is now stopped. */
  settled(c: Container): Promise<void>;
}

/** The restart state of every container, in memory (dockerd keeps it in memory too). */
export class RestartManager {
  readonly #o: RestartManagerOptions;
  readonly #state = new WeakMap<Container, Backoff>();
  #ready!: () => void;
  /** Restarts wait for berthd's start-up to finish (dockerd's waitForStartupDone). */
  readonly #startup = new Promise<void>((r) => (this.#ready = r));

  constructor(options: RestartManagerOptions) {
    this.#o = options;
  }

  #backoff(c: Container): Backoff {
    let b = this.#state.get(c);
    if (!b) this.#state.set(c, (b = { delayMs: 0, count: 0, canceled: false }));
    return b;
  }

  /**
   * dockerd's ShouldRestart, at an exit: whether the policy restarts the container, and after
   * what delay. A restart is counted here.
   */
  decide(c: Container, exit: { exitCode: number; ranMs: number }): { restart: false } | { restart: true; delayMs: number } {
    const p = c.hostConfig.RestartPolicy;
    if (!p || p.Name === 'no' || p.Name === '') return { restart: false };
    const b = this.#backoff(c);
    if (b.canceled) return { restart: false };
    if (exit.ranMs >= resetAfterMs) b.delayMs = 0;
    b.delayMs = b.delayMs === 0 ? initialBackoffMs : Math.min(b.delayMs * 2, maxBackoffMs);
    if (!wantsRestart(p, { exitCode: exit.exitCode, manuallyStopped: c.record.HasBeenManuallyStopped, count: b.count })) return { restart: false };
    b.count++;
    return { restart: true, delayMs: b.delayMs };
  }

  /**
   * Whether a restart decided at an exit still stands: a stop or kill may have come while the
   * exit was being recorded.
   */
  stillWanted(c: Container): boolean {
    return !this.#backoff(c).canceled;
  }

  /** Starts the container after `delayMs` unless cancelled meanwhile (whoever cancels stops it). */
  schedule(c: Container, delayMs: number): void {
    const b = this.#backoff(c);
    if (b.canceled) return;
    b.pending?.abort();
    let resolveDue!: () => void;
    let rejectDue!: (err: Error) => void;
    const deadline = new Promise<void>((resolve, reject) => {
      resolveDue = resolve;
      rejectDue = reject;
    });
    deadline.catch(() => {});
    const pending: Pending = {
      due: this.#o.clock.timer(delayMs, () => resolveDue()),
      prepare: this.#o.clock.timer(Math.max(0, delayMs - prepareLeadMs), () => void this.#fire(c, b, pending, deadline)),
      abort: () => {
        pending.prepare.cancel();
        pending.due.cancel();
        rejectDue(new RestartCancelled());
      },
    };
    b.pending = pending;
  }

  async #fire(c: Container, b: Backoff, pending: Pending, deadline: Promise<void>): Promise<void> {
    await this.#startup;
    try {
      if (b.canceled || b.pending !== pending) return;
      await this.#o.restart(c, deadline);
    } catch (err) {
      if (err instanceof RestartCancelled) return;
      this.#o.log.warn('restarting the container failed', { container: c.id, error: err });
      await this.#o.settled(c).catch(() => {});
    } finally {
      if (b.pending === pending) b.pending = undefined;
    }
  }

  /**
   * dockerd's ExitOnNext, for a stop or kill the user asked for: no restart until the next user
   * start. Returns whether a restart was pending (the container was `restarting`).
   */
  cancel(c: Container): boolean {
    const b = this.#backoff(c);
    b.canceled = true;
    const pending = !!b.pending;
    b.pending?.abort();
    b.pending = undefined;
    return pending;
  }

  /** A user start: a fresh manager (dockerd's ResetRestartManager). */
  reset(c: Container): void {
    this.#state.get(c)?.pending?.abort();
    this.#state.delete(c);
  }

  /** Whether a restart is waiting for its delay. */
  isPending(c: Container): boolean {
    return !!this.#state.get(c)?.pending;
  }

  /**
   * Whether berthd's start-up starts this stopped container: the policy applied by a fresh
   * manager to its last exit (dockerd's restore: container.ShouldRestart()).
   */
  startsAtBoot(c: Container): boolean {
    const p = c.hostConfig.RestartPolicy;
    if (!c.record.HasBeenStartedBefore || !p) return false;
    return wantsRestart(p, { exitCode: c.state.ExitCode, manuallyStopped: c.record.HasBeenManuallyStopped, count: 0 });
  }

  /** Start-up is done: restarts that fell due meanwhile go ahead. */
  ready(): void {
    this.#ready();
  }
}

function wantsRestart(p: RestartPolicy, s: { exitCode: number; manuallyStopped: boolean; count: number }): boolean {
  switch (p.Name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !s.manuallyStopped;
    case 'on-failure':
      // a MaximumRetryCount of 0 means no limit
      return s.exitCode !== 0 && (p.MaximumRetryCount === 0 || s.count < p.MaximumRetryCount);
    default:
      return false;
  }
}

/**
 * `update --restart` (POST /containers/{id}/update's RestartPolicy): validates, records and hands
 * the new policy to the container, as dockerd's UpdateContainer and UpdateMonitor do: the manager
 * reads the policy at each exit, so a pending restart proceeds and later exits follow the new
 * one. The update verb calls it when the request has a RestartPolicy with a Name; the caller
 * saves the container and publishes the `update` event.
 */
export function updateRestartPolicy(c: Container, policy: RestartPolicy): void {
  if (policy.Name === '') return;
  if (c.hostConfig.AutoRemove && policy.Name !== 'no') {
    throw new Conflict(`Cannot update container ${c.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`);
  }
  validateRestartPolicy({ Name: policy.Name, MaximumRetryCount: policy.MaximumRetryCount ?? 0 }, false);
  c.hostConfig.RestartPolicy = { Name: policy.Name, MaximumRetryCount: policy.MaximumRetryCount ?? 0 };
}
