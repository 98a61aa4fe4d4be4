// The container service: one object the API and the daemon hold, delegating each verb to its own
// file and serialising verbs per container. It owns what follows an exit (--rm) and recovery of
// containers that ran while berthd was down.
import type { Readable } from 'node:stream';
import type { Clock, Logger } from '../lib/index.ts';
import type { Syscalls } from '../sys/index.ts';
import { parseSignal } from '../lib/index.ts';
import { Conflict } from '../errors/index.ts';
import type { ContainerPathStat, ContainerSummary, ContainerTopResponse, CreateContainerRequest, EndpointSettings, ExecConfig } from '../types/index.ts';
import { attachContainer, type AttachOptions, type AttachSession, type OutputWriter } from './attach.ts';
import type { Container, WaitCondition } from './container.ts';
import type {
  ContainerCgroups,
  ContainerLayers,
  ContainerLogs,
  ContainerNetworking,
  ContainerRuntime,
  ContainerVolumes,
  EngineConfig,
  EngineContext,
  EnginePublisher,
  HostFacts,
  ImageCommitter,
  ImageLookup,
  ProcFiles,
} from './context.ts';
import { connectContainer, disconnectContainer, tearDownNetworking } from './network.ts';
import { commitContainer, type CommitOptions } from './commit.ts';
import { archiveContainerPath, extractToContainer, statContainerPath, type ExtractOptions } from './archive.ts';
import { containerChanges } from './changes.ts';
import { createContainer } from './create.ts';
import { reacquireMounts } from './mounts.ts';
import { endInterruptedStart, neverStarted, removeRecordTemps, removeStrayRuntimeState, settleInterruptedStart } from './reconcile.ts';
import { exportContainer } from './export.ts';
import { ExecStore, createExec, execCommandText, startExec, type ExecStartOptions } from './exec.ts';
import { handleExit, recordExit, settleStopped } from './exit.ts';
import { inspectContainer } from './inspect.ts';
import { killContainer, stopContainer, stopsContainer } from './kill.ts';
import { listContainers, type ListOptions } from './list.ts';
import { logInfo, readLogs, type LogOptions, type LogRecord } from './logs.ts';
import { removeContainer, type RemoveOptions } from './remove.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';
import { renameContainer } from './rename.ts';
import { pruneContainers, type ContainersPruneReport } from './prune.ts';
import { RestartManager } from './restart.ts';
import { HealthMonitors } from './health.ts';
import { startContainer } from './start.ts';
import { containerStats, type StatsOptions } from './stats.ts';
import { updateContainer } from './update.ts';
import type { HostConfigRequest } from './host-config-validate.ts';
import type { StatsJson } from '../stats/index.ts';
import type { ContainerStore } from './store.ts';
import { topContainer } from './top.ts';
import type { ProcessTable } from './ps.ts';
import { announce } from './announce.ts';

/** Every dependency is required: unit tests pass the fakes of fakes.test-support.ts. */
export interface EngineDeps {
  /**
   * The container records. Built before the engine, by the daemon, because the image and volume
   * services ask it which containers use an image or a volume (their ImageUsers/VolumeUsers ports)
   * and the engine in turn needs those services: the store is the one piece both sides share.
   */
  store: ContainerStore;
  images: ImageLookup;
  layers: ContainerLayers & {
    sweep(live: ReadonlySet<string>): Promise<void>;
    /** Unmounts the layers of containers that do not run (a crash left them mounted). */
    unmountIdle(running: ReadonlySet<string>): Promise<void>;
  };
  runtime: ContainerRuntime & {
    watchExits(onExit: (id: string) => void): void;
    /** Ends the process that held the output pipes open while berthd was down. */
    releaseOutputs(): Promise<void>;
  };
  network: ContainerNetworking;
  volumes: ContainerVolumes;
  /** The image half of commit. */
  committer: ImageCommitter;
  logs: ContainerLogs;
  sys: Syscalls;
  events: EnginePublisher;
  clock: Clock;
  ps: ProcessTable;
  log: Logger;
  config: EngineConfig;
  /** The Cgroups port, the machine's facts, and /proc (stats). */
  cgroups: ContainerCgroups;
  host: HostFacts;
  proc: ProcFiles;
}

export class Engine {
  readonly ctx: EngineContext;
  #deps: EngineDeps;
  #execs = new ExecStore();
  #restarts: RestartManager;
  #health: HealthMonitors;

  constructor(deps: EngineDeps) {
    this.#deps = deps;
    this.#health = new HealthMonitors({ clock: deps.clock, log: deps.log });
    this.#restarts = new RestartManager({
      clock: deps.clock,
      log: deps.log,
      restart: async (c, deadline) => {
        await c.locked(async () => {
          // a stop, kill or rm got there first
          if (!c.state.Restarting || this.ctx.store.find(c.id) !== c) return;
          await startContainer(this.ctx, c, { byPolicy: true, beforeStart: () => deadline });
        });
        void this.#afterExit(c);
      },
      settled: (c) => c.locked(() => settleStopped(this.ctx, c)),
    });
    this.ctx = {
      store: deps.store,
      images: deps.images,
      layers: deps.layers,
      runtime: deps.runtime,
      events: deps.events,
      log: deps.log,
      config: deps.config,
      clock: deps.clock,
      ps: deps.ps,
      // Verbs reconcile while they hold the container's lock, which a --rm removal needs.
      reconcile: (c) => this.#afterExit(c, { awaitRemoval: false }),
      restarts: this.#restarts,
      health: this.#health,
      volumes: deps.volumes,
      sys: deps.sys,
      network: deps.network,
      logs: deps.logs,
      cgroups: deps.cgroups,
      host: deps.host,
      proc: deps.proc,
    };
    this.#health.bind(this.ctx);
  }

  /**
   * Loads containers, sweeps what a crash left half-made, adopts or settles running ones, then
   * releases whatever no running container accounts for (reconcile.ts).
   */
  async init(): Promise<void> {
    const containers = await this.ctx.store.load();
    await removeRecordTemps(this.ctx, containers);
    await this.#deps.layers.sweep(this.ctx.store.idsOnDisk());
    await removeStrayRuntimeState(this.ctx, this.ctx.store.idsOnDisk());
    // Exits the watcher reports while start-up runs wait until the network sandboxes are restored:
    // before that, an exit's teardown would find no sandbox, and restore would then keep the
    // sandbox of a container it was told runs.
    let early: Set<Container> | undefined = new Set();
    this.#deps.runtime.watchExits((id) => {
      const c = this.ctx.store.find(id);
      if (!c || c.id !== id) return;
      if (early) early.add(c);
      else void this.#afterExit(c);
    });
    await Promise.all(containers.map((c) => (c.state.Restarting ? this.#recoverRestarting(c) : c.state.Running ? this.#recover(c) : this.#recoverUnrecorded(c))));
    // every container that had an output pipe has opened it: the process holding them goes
    await this.#deps.runtime.releaseOutputs();
    const running = new Set(this.ctx.store.all().filter((c) => c.state.Running && !c.state.Restarting).map((c) => c.id));
    await this.ctx.network.restore(running);
    const exited = early;
    early = undefined;
    for (const c of exited) void this.#afterExit(c);
    // before the policy starts any: what does not run now holds no mount
    await this.#deps.layers.unmountIdle(running);
    await this.ctx.volumes.releaseUnused();
    this.#restarts.ready();
    await this.#startByPolicy();
  }

  /**
   * dockerd's restore: the stopped containers whose policy wants them running are started, which
   * is how a stop suspends `always` until the daemon starts again, and how the restarts that fell
   * due while berthd was down happen.
   */
  async #startByPolicy(): Promise<void> {
    const due = this.ctx.store.all().filter((c) => !c.state.Running && this.#restarts.startsAtBoot(c));
    await Promise.all(
      due.map(async (c) => {
        try {
          await this.start(c.id);
        } catch (err) {
          this.ctx.log.error('starting a container its restart policy keeps running failed', { container: c.id, error: err });
        }
      }),
    );
  }

  /**
   * berthd stopped while the container waited for its restart. Its process is gone (the runtime
   * state was released with the exit) unless berthd died in the middle of the restart itself.
   */
  async #recoverRestarting(c: Container): Promise<void> {
    // A restart prepared during its backoff is created, not started: its process is runc's init.
    // It is ended here and the restart happens anew (#startByPolicy), never adopted as running.
    if (await neverStarted(this.ctx, c)) await endInterruptedStart(this.ctx, c);
    if ((await this.ctx.runtime.hasState(c.id)) && (await this.ctx.runtime.isAlive(c.id)) && !(await this.ctx.runtime.exitStatus(c.id))) {
      this.ctx.log.warn('adopting a container restarted just before berthd stopped', { container: c.id });
      await this.#adoptLog(c);
      c.record.State.Restarting = false;
      c.record.State.Pid = (await this.ctx.runtime.pid(c.id)) ?? 0;
      c.record.State.StartedAt = this.ctx.clock.now().toISOString();
      c.processExists = true;
      await this.ctx.layers.mountRw(c.id);
      await reacquireMounts(this.ctx, c);
      await this.ctx.store.saveState(c);
      await this.#afterExit(c);
      return;
    }
    if (await this.ctx.runtime.hasState(c.id)) await this.ctx.runtime.delete(c.id);
    // the sandbox it kept for the restart goes (network.restore removes what is left of it)
    await tearDownNetworking(this.ctx, c).catch(() => {});
    Object.assign(c.record.State, { Running: false, Restarting: false, Pid: 0 });
    await this.ctx.store.saveState(c);
  }

  /**
   * A container saved as not running may still have runtime state: berthd died after runc
   * started it but before the new state was on disk. Adopt it if it runs, settle it if not.
   */
  async #recoverUnrecorded(c: Container): Promise<void> {
    if (!(await this.ctx.runtime.hasState(c.id))) return;
    await this.#adoptLog(c);
    const log = this.ctx.log.child({ container: c.id });
    if (await neverStarted(this.ctx, c)) {
      await settleInterruptedStart(this.ctx, c);
      // as after a start that failed (start() below): a --rm container goes
      if (c.hostConfig.AutoRemove) await c.locked(() => removeContainer(this.ctx, c, { force: true, removeVolumes: true })).catch((err: unknown) => log.warn('removing --rm container failed', { error: err }));
      return;
    }
    if (await this.ctx.runtime.isAlive(c.id)) {
      log.warn('adopting a container started just before berthd stopped');
      const pid = (await this.ctx.runtime.pid(c.id)) ?? 0;
      Object.assign(c.record.State, { Running: true, Paused: false, Pid: pid, ExitCode: 0, Error: '', StartedAt: this.ctx.clock.now().toISOString() });
      c.processExists = true;
      c.record.HasBeenStartedBefore = true;
      await this.ctx.layers.mountRw(c.id);
      await reacquireMounts(this.ctx, c);
      await this.ctx.store.saveState(c);
      await this.#afterExit(c);
      return;
    }
    const exit = await this.ctx.runtime.exitStatus(c.id);
    if (exit) {
      c.record.State.Running = true; // so that recordExit settles it like any exit
      await recordExit(this.ctx, c, exit);
    } else await this.ctx.runtime.delete(c.id);
  }

  async #recover(c: Container): Promise<void> {
    const log = this.ctx.log.child({ container: c.id });
    // running or exited meanwhile, its output is read from the pipe conmon wrote it into
    await this.#adoptLog(c);
    if (await this.ctx.runtime.exitStatus(c.id)) {
      log.info('container exited while berthd was down');
      await this.#afterExit(c);
    } else if (await this.ctx.runtime.isAlive(c.id)) {
      log.debug('adopted running container');
      c.processExists = true;
      await reacquireMounts(this.ctx, c);
      if (!c.state.Paused) this.#health.start(c, { resume: true });
      // Exits recorded between the scan and the watcher would be missed: look once more.
      await this.#afterExit(c);
    } else {
      // It may have exited between the two looks: conmon writes the exit file before it goes.
      const exitedMeanwhile = await this.ctx.runtime.exitStatus(c.id);
      if (exitedMeanwhile) {
        log.info('container exited while berthd was starting');
        await this.#afterExit(c);
        return;
      }
      log.warn('container monitor is gone without recording an exit; marking the container exited');
      await recordExit(this.ctx, c, { exitCode: 255, finishedAt: this.ctx.clock.now(), oomKilled: false, error: 'container monitor exited unexpectedly' });
    }
  }

  /** What the container wrote while berthd was down waits in its output pipe: read it, and what follows. */
  async #adoptLog(c: Container): Promise<void> {
    const output = this.ctx.runtime.openOutput(c.id);
    if (!output) return;
    await this.ctx.logs.adopt(logInfo(c), output).catch((err: unknown) => this.ctx.log.error('cannot follow the container output', { container: c.id, error: err }));
  }

  /**
   * Processes the container's exit, then removes a --rm container. The removal takes the
   * container's lock: a caller that may hold it passes `awaitRemoval: false` and gets the exit
   * recorded, the removal queued behind it (waiting for it there would hold the lock for ever).
   */
  async #afterExit(c: Container, options: { awaitRemoval: boolean } = { awaitRemoval: true }): Promise<void> {
    await handleExit(this.ctx, c);
    if (!c.hostConfig.AutoRemove || c.state.Running) return;
    // Several reports of one exit can get here: decide under the lock, once.
    const removal = c
      .locked(async () => {
        if (c.state.Running || c.state.RemovalInProgress || !c.record.HasBeenStartedBefore || this.ctx.store.find(c.id) !== c) return;
        await removeContainer(this.ctx, c, { force: false, removeVolumes: true });
      })
      .catch((err: unknown) => this.ctx.log.error('removing --rm container failed', { container: c.id, error: err }));
    if (options.awaitRemoval) await removal;
  }

  get(ref: string): Container {
    return this.ctx.store.get(ref);
  }

  async connectNetwork(ref: string, network: string, config: Partial<EndpointSettings>): Promise<void> {
    const c = this.get(ref);
    await c.locked(() => connectContainer(this.ctx, c, network, config));
  }

  async disconnectNetwork(ref: string, network: string): Promise<void> {
    const c = this.get(ref);
    await c.locked(() => disconnectContainer(this.ctx, c, network));
  }

  create(req: CreateContainerRequest, options: { name?: string } = {}): Promise<{ Id: string; Warnings: string[] }> {
    return createContainer(this.ctx, req, options);
  }

  async start(ref: string): Promise<void> {
    const c = this.get(ref);
    try {
      await c.locked(() => startContainer(this.ctx, c));
      // A process that exits at once can record its exit before it was marked running, when the
      // exit watcher had nothing to settle yet: look once more now.
      void this.#afterExit(c);
    } catch (err) {
      if (c.hostConfig.AutoRemove && !c.state.Running && this.ctx.store.find(c.id) === c) {
        await c.locked(() => removeContainer(this.ctx, c, { force: true, removeVolumes: true })).catch(() => {});
      }
      throw err;
    }
  }

  async stop(ref: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    const c = this.get(ref);
    // a restart being prepared holds the lock until its backoff ends: abandon it first
    this.#restarts.cancel(c);
    await c.locked(() => stopContainer(this.ctx, c, options));
  }

  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const c = this.get(ref);
    const sig = parseSignal(signal).number;
    if (stopsContainer(c, sig)) this.#restarts.cancel(c);
    // A stop waiting for the exit holds the lock, for ever with t=-1: the signal goes out now, as
    // dockerd's does, and ends that wait if it ends the process.
    if (c.stopping) return killContainer(this.ctx, c, sig, ref);
    await c.locked(() => killContainer(this.ctx, c, sig, ref));
  }

  async restart(ref: string, options: { timeout?: number; signal?: string } = {}): Promise<void> {
    const c = this.get(ref);
    await c.locked(async () => {
      if (c.state.Running) await stopContainer(this.ctx, c, options);
      // as dockerd: an rm -f that ended the stop wins over the start
      if (c.removalRequested) throw new Conflict(`Cannot restart container ${ref}: container is marked for removal and cannot be started`);
      await startContainer(this.ctx, c);
    });
    void this.#afterExit(c);
    announce(this.ctx, c, 'restart');
  }

  async remove(ref: string, options: RemoveOptions): Promise<void> {
    const c = this.get(ref);
    if (options.force) this.#restarts.cancel(c);
    // rm -f during a stop that waits (t=-1): kill first, so the stop returns and frees the lock.
    if (options.force && c.stopping && c.state.Running) {
      c.removalRequested = true;
      await killContainer(this.ctx, c, 9, ref).catch(() => {});
    }
    try {
      await c.locked(() => removeContainer(this.ctx, c, options));
    } finally {
      c.removalRequested = false;
    }
    this.#execs.forget(c.id);
  }

  /** POST /containers/prune. */
  prune(filters: ReadonlyMap<string, readonly string[]>): Promise<ContainersPruneReport> {
    return pruneContainers(this.ctx, filters, (c) => this.remove(c.id, { force: false, removeVolumes: false }));
  }

  async pause(ref: string): Promise<void> {
    const c = this.get(ref);
    await c.locked(() => pauseContainer(this.ctx, c));
  }

  async unpause(ref: string): Promise<void> {
    const c = this.get(ref);
    await c.locked(() => unpauseContainer(this.ctx, c));
  }

  /** POST /containers/{id}/update: new limits (live when it runs) and restart policy, in one request. */
  async update(ref: string, request: HostConfigRequest): Promise<{ Warnings: string[] | null }> {
    const c = this.get(ref);
    return c.locked(() => updateContainer(this.ctx, c, request));
  }

  /** GET /containers/{id}/stats: the container is looked up now (a 404 before any output), read as the stream is consumed. */
  stats(ref: string, options: StatsOptions, signal?: AbortSignal): AsyncGenerator<StatsJson> {
    return containerStats(this.ctx, this.get(ref), options, signal);
  }

  /** Whether the container has a tty (its streams are then raw, not multiplexed). */
  isTty(ref: string): boolean {
    return this.get(ref).record.Config.Tty;
  }

  top(ref: string, psArgs: string): Promise<ContainerTopResponse> {
    return topContainer(this.ctx, this.get(ref), psArgs);
  }

  createExec(ref: string, req: ExecConfig): { Id: string } {
    const c = this.get(ref);
    const s = createExec(c, req);
    this.#execs.add(s);
    announce(this.ctx, c, `exec_create: ${execCommandText(s.config.Cmd)}`, { execID: s.id });
    return { Id: s.id };
  }

  #exec(id: string) {
    return this.#execs.get(id, (c) => this.ctx.store.find(c.id) === c);
  }

  startExec(id: string, options: ExecStartOptions, write: OutputWriter): Promise<AttachSession | undefined> {
    return startExec(this.ctx, this.#exec(id), options, write);
  }

  /** Whether the session runs with a tty (its stream is then raw); throws 404 for unknown ids. */
  execIsTty(id: string): boolean {
    return !!this.#exec(id).config.Tty;
  }

  inspectExec(id: string): Record<string, unknown> {
    return this.#exec(id).inspect();
  }

  async resizeExec(id: string, size: { height: number; width: number }): Promise<void> {
    const s = this.#exec(id);
    s.consoleSize = size;
    if (s.running && s.config.Tty) await this.ctx.runtime.resizeExec(s.container.id, s.id, size);
  }

  /** POST /commit: the container's changes as a new image. */
  async commit(ref: string, options: CommitOptions): Promise<{ Id: string }> {
    const c = this.get(ref);
    return c.locked(() => commitContainer(this.ctx, c, this.#deps.committer, options));
  }

  /** GET /containers/{id}/export: the container's file system as a tar stream. */
  async export(ref: string): Promise<Readable> {
    const c = this.get(ref);
    return c.locked(() => exportContainer(this.ctx, c));
  }

  /** HEAD /containers/{id}/archive. */
  statPath(ref: string, path: string): Promise<ContainerPathStat> {
    const c = this.get(ref);
    return c.locked(() => statContainerPath(this.ctx, c, path, ref));
  }

  /** GET /containers/{id}/archive: the stat and a tar stream of the path. */
  archivePath(ref: string, path: string): Promise<{ stat: ContainerPathStat; stream: Readable }> {
    const c = this.get(ref);
    return c.locked(() => archiveContainerPath(this.ctx, c, path, ref));
  }

  /** PUT /containers/{id}/archive. */
  extractToDir(ref: string, path: string, input: Readable, options: ExtractOptions): Promise<void> {
    const c = this.get(ref);
    return c.locked(() => extractToContainer(this.ctx, c, path, ref, input, options));
  }

  /** GET /containers/{id}/changes. */
  changes(ref: string): Promise<Array<{ Path: string; Kind: 0 | 1 | 2 }> | null> {
    return containerChanges(this.ctx, this.get(ref));
  }

  async rename(ref: string, name: string): Promise<void> {
    const c = this.get(ref);
    await c.locked(() => renameContainer(this.ctx, c, name));
  }

  wait(ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    return this.get(ref).wait(condition, signal);
  }

  inspect(ref: string, options: { size?: boolean } = {}): Promise<Record<string, unknown>> {
    return inspectContainer(this.ctx, this.get(ref), options);
  }

  list(options: ListOptions): Promise<ContainerSummary[]> {
    return listContainers(this.ctx, options);
  }

  logs(ref: string, options: LogOptions, signal?: AbortSignal): AsyncIterable<LogRecord[]> {
    return readLogs(this.ctx, this.get(ref), options, signal);
  }

  attach(ref: string, options: AttachOptions, write: OutputWriter): Promise<AttachSession> {
    return attachContainer(this.ctx, this.get(ref), options, write);
  }

  async resize(ref: string, size: { height: number; width: number }): Promise<void> {
    const c = this.get(ref);
    c.hostConfig.ConsoleSize = [size.height, size.width];
    if (c.state.Running && c.record.Config.Tty) await this.ctx.runtime.resize(c.id, size);
    if (c.state.Running) announce(this.ctx, c, 'resize', { height: String(size.height), width: String(size.width) });
  }

  /** GET /system/df's containers: every one, with its sizes. */
  diskUsage(): Promise<ContainerSummary[]> {
    return this.list({ all: true, size: true, filters: new Map() });
  }

  /**
   * berthd is shutting down: health probes end; without live restore the running containers are
   * stopped (not as a user's stop: their restart policies bring them back at the next start), for
   * at most `timeoutMs` altogether.
   */
  async shutdown(options: { stopContainers: boolean; timeoutMs: number }): Promise<void> {
    for (const c of this.ctx.store.all()) this.#health.stop(c);
    // the health logs not yet saved (see health.ts), so that the next berthd resumes from them
    await Promise.all(this.ctx.store.all().filter((c) => c.state.Health && c.state.Running).map((c) => this.ctx.store.saveState(c).catch(() => {})));
    if (!options.stopContainers) return;
    const running = this.ctx.store.all().filter((c) => c.state.Running);
    const stops = Promise.all(
      running.map((c) =>
        c.locked(() => stopContainer(this.ctx, c, { byDaemon: true })).catch((err: unknown) => this.ctx.log.warn('stopping a container at shutdown failed', { container: c.id, error: err })),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((r) => (timer = setTimeout(r, options.timeoutMs)));
    await Promise.race([stops, deadline]);
    clearTimeout(timer);
  }

  /** GET /info's counts, as dockerd's state counter: a restarting container counts as stopped. */
  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.ctx.store.all();
    const running = all.filter((c) => c.status === 'running').length;
    const paused = all.filter((c) => c.status === 'paused').length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }
}
