// A container as berthd keeps it: the record persisted in containers/<id>/config.v2.json and
// hostconfig.json (dockerd's file names and, where it matters, field names), plus what only lives
// in memory: waiters, pending attach clients and a per-container lock that serialises verbs.
import type { ContainerConfig, ContainerStateView, HostConfig, EndpointSettings, PortMap } from '../types/index.ts';
import type { MountPointRecord } from '../volume/index.ts';

export const zeroTime = '0001-01-01T00:00:00Z';

/** One probe's result (docker's HealthcheckResult). */
export interface HealthResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health: kept with the container, so that it outlives a berthd restart. */
export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  /** The last five results, oldest first. */
  Log: HealthResult[];
}

/**
 * State as persisted: the API's State (ContainerStateView) without Status, which is derived from
 * these flags (Container.status), plus RemovalInProgress, which inspect does not show.
 */
export interface ContainerState extends Omit<ContainerStateView, 'Status' | 'Health'> {
  RemovalInProgress: boolean;
  /** Only for a container with a healthcheck, once started. */
  Health?: HealthState;
}

export interface NetworkSettingsRecord {
  SandboxKey: string;
  Networks: Record<string, EndpointSettings>;
  /** Set while the container runs: its sandbox and published ports. */
  SandboxID?: string;
  Ports?: PortMap;
}

export interface ContainerRecord {
  ID: string;
  Created: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  /** The image id ("sha256:…"). Config.Image keeps what the user asked for. */
  Image: string;
  Name: string;
  Driver: string;
  Platform: string;
  RestartCount: number;
  HasBeenStartedBefore: boolean;
  HasBeenManuallyStopped: boolean;
  State: ContainerState;
  LogPath: string;
  HostnamePath: string;
  HostsPath: string;
  ResolvConfPath: string;
  NetworkSettings: NetworkSettingsRecord;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  /** Volumes, binds and tmpfs mounts, keyed by destination (dockerd's MountPoints). */
  MountPoints?: Record<string, MountPointRecord>;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface Waiter {
  condition: WaitCondition;
  resolve: (r: { StatusCode: number; Error: { Message: string } | null }) => void;
}

export class Container {
  record: ContainerRecord;
  hostConfig: HostConfig;
  readonly dir: string;
  #waiters: Waiter[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  /**
   * Attach clients waiting for the container to start (the docker CLI attaches before it starts
   * a container). `ready` runs after the process exists but before it executes, so no output is
   * missed; `failed` when the start did not happen.
   */
  readonly pendingAttach = new Set<{ ready(): void; failed(err: unknown): void }>();
  /** Set while a stop or kill the user asked for is in progress (restart policies ignore it). */
  stopping = false;
  /** An rm -f cut a waiting stop short: a restart that was waiting must not start it again. */
  removalRequested = false;
  /**
   * True from the moment the runtime created the container's process (before `runc start`) until
   * its exit is recorded: from then on an attach connects directly instead of waiting.
   */
  processExists = false;
  /** Exec sessions running in the container (inspect's ExecIDs). */
  readonly execs = new Set<string>();

  constructor(record: ContainerRecord, hostConfig: HostConfig, dir: string) {
    this.record = record;
    this.hostConfig = hostConfig;
    this.dir = dir;
  }

  get id(): string {
    return this.record.ID;
  }

  /** The name without the leading slash. */
  get name(): string {
    return this.record.Name.replace(/^\//, '');
  }

  get state(): ContainerState {
    return this.record.State;
  }

  get running(): boolean {
    return this.record.State.Running;
  }

  /** docker's State.StateString(). */
  get status(): 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' {
    const s = this.record.State;
    if (s.Running) {
      if (s.Paused) return 'paused';
      if (s.Restarting) return 'restarting';
      return 'running';
    }
    if (s.RemovalInProgress) return 'removing';
    if (s.Dead) return 'dead';
    if (s.StartedAt === zeroTime) return 'created';
    return 'exited';
  }

  /** Runs `fn` after every verb queued before it on this container has finished. */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  wait(condition: WaitCondition, signal?: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    if (condition === 'not-running' && !this.running) {
      return Promise.resolve({ StatusCode: this.state.ExitCode, Error: null });
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { condition, resolve };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal.reason);
      });
    });
  }

  /** Wakes the waiters a just-recorded exit satisfies. */
  notifyExit(): void {
    const result = { StatusCode: this.state.ExitCode, Error: this.state.Error ? { Message: this.state.Error } : null };
    this.#waiters = this.#waiters.filter((w) => {
      if (w.condition === 'removed') return true;
      w.resolve(result);
      return false;
    });
  }

  notifyRemoved(): void {
    const result = { StatusCode: this.state.ExitCode, Error: null };
    for (const w of this.#waiters) w.resolve(result);
    this.#waiters = [];
  }
}

export function initialState(): ContainerState {
  return {
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    RemovalInProgress: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: zeroTime,
    FinishedAt: zeroTime,
  };
}
