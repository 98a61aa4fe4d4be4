// Fakes of the engine's ports for unit tests: an in-memory runtime whose containers exit on
// demand, layers that only make directories, one image, networking that gives every container a
// private namespace with loopback only, volumes as plain directories, and an image committer that
// only records. fakeEngine() wires them with the real event bus on a fake clock.
import { EventEmitter } from 'node:events';
import { promises as fsp, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FakeCgroupFs, openCgroups, type CgroupFeatures, type Cgroups } from '../cgroups/index.ts';
import { NotFound } from '../errors/index.ts';
import { EventBus } from '../events/index.ts';
import { FakeClock, newId, silentLogger, type Clock } from '../lib/index.ts';
import type { CommitRequest } from '../image/index.ts';
import { LogService, type UnixDatagramPort } from '../logging/index.ts';
import type { SandboxRequest, SandboxResult } from '../network/index.ts';
import { RuntimeError, type AttachConnection, type CreateOptions, type ExecHandle, type ExecOptions, type ExitStatus, type OciProcess, type OciSpec, type ProbeOptions, type ProbeResult } from '../runtime/index.ts';
import { FakeSyscalls } from '../sys/index.ts';
import { emptyContainerConfig, type EndpointSettings } from '../types/index.ts';
import { Engine } from './engine.ts';
import type { ContainerCgroups, ContainerLayers, ContainerNetworking, ContainerRuntime, ContainerVolumes, HostFacts, ImageCommitter, ImageLookup, ProcFiles } from './context.ts';
import { FakeProcessTable } from './ps.ts';
import { ContainerStore } from './store.ts';

export class FakeAttach extends EventEmitter {
  ended = false;
  writeStdin = async () => {};
  closeStdin() {}
  close() {
    this.end();
  }
  end() {
    if (!this.ended) {
      this.ended = true;
      this.emit('end');
    }
  }
  pause() {}
  resume() {}
}

/** Unit tests send nothing to syslog over unix datagrams. */
const refusingDatagrams: UnixDatagramPort = {
  connect: () => {
    throw new Error('no unix datagram sockets in unit tests');
  },
  send: () => false,
  close: () => {},
};

/** The cgroups a fake runtime makes as runc would: the port over an in-memory cgroupfs. */
export interface FakeRuntimeCgroups {
  fs: FakeCgroupFs;
  cgroups: Promise<Cgroups>;
}

export class FakeRuntime implements ContainerRuntime {
  readonly live = new Map<string, { pid: number; attaches: FakeAttach[] }>();
  readonly exits = new Map<string, ExitStatus>();
  /** The spec each container was created with. */
  readonly specs = new Map<string, OciSpec>();
  /** Resolve to let `start` return: lets a test act between create and start. */
  startGate?: Promise<void>;
  #onExit?: (id: string) => void;
  #pid = 1000;
  readonly #clock: Clock;
  readonly #cgroups?: FakeRuntimeCgroups;

  /** With `cgroups`, create makes the container's cgroup with its spec's limits, and delete removes it, as runc does. */
  constructor(clock: Clock = new FakeClock(), cgroups?: FakeRuntimeCgroups) {
    this.#clock = clock;
    this.#cgroups = cgroups;
  }

  watchExits(onExit: (id: string) => void) {
    this.#onExit = onExit;
  }
  /** Containers past `start`: the rest of `live` is 'created'. */
  readonly started = new Set<string>();
  openOutput() {
    return undefined;
  }
  async releaseOutputs() {}
  async create(o: CreateOptions) {
    let pid = ++this.#pid;
    if (this.#cgroups) {
      const cg = await this.#cgroups.cgroups;
      const path = o.spec.linux.cgroupsPath;
      await cg.create(path);
      const { devices: _devices, ...limits } = o.spec.linux.resources;
      await cg.update(path, limits);
      pid = this.#cgroups.fs.spawn();
      await cg.addProcess(path, pid);
    }
    this.specs.set(o.id, o.spec);
    this.live.set(o.id, { pid, attaches: [] });
    return { pid };
  }
  async start(id: string) {
    await this.startGate;
    this.started.add(id);
  }
  async status(id: string) {
    if (this.exits.has(id)) return 'stopped';
    if (!this.live.has(id)) return undefined;
    return this.started.has(id) ? 'running' : 'created';
  }
  async list() {
    return [...new Set([...this.live.keys(), ...this.exits.keys()])];
  }
  /** Signals the fake process ignores (a process that traps SIGTERM). */
  readonly ignoredSignals = new Set<number>();
  async kill(id: string, signal: number) {
    // as runc's: a process that has ended cannot be signalled, whether or not its exit was seen
    if (this.exits.has(id)) throw new RuntimeError('container not running');
    if (this.live.has(id) && !this.ignoredSignals.has(signal)) this.exit(id, 128 + signal);
  }
  async pause() {}
  async resume() {}
  async delete(id: string) {
    const spec = this.specs.get(id);
    if (this.#cgroups && spec) {
      const pid = this.live.get(id)?.pid;
      if (pid !== undefined) this.#cgroups.fs.exit(pid);
      await (await this.#cgroups.cgroups).remove(spec.linux.cgroupsPath);
    }
    this.live.delete(id);
    this.exits.delete(id);
    this.started.delete(id);
  }
  async exitStatus(id: string) {
    return this.exits.get(id);
  }
  async isAlive(id: string) {
    return this.live.has(id) && !this.exits.has(id);
  }
  async hasState(id: string) {
    return this.live.has(id) || this.exits.has(id);
  }
  async pid(id: string) {
    return this.live.get(id)?.pid;
  }
  attach(id: string): AttachConnection {
    const c = this.live.get(id);
    if (!c || this.exits.has(id)) throw new Error('no attach socket');
    const a = new FakeAttach();
    c.attaches.push(a);
    return a as unknown as AttachConnection;
  }
  async resize() {}
  paused = new Set<string>();
  readonly execs = new Map<string, { options: ExecOptions; finish(code: number): void }>();
  async baseProcess(): Promise<OciProcess> {
    return {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/bin:/bin', 'HOME=/root'],
      cwd: '/',
      capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
    };
  }
  async exec(options: ExecOptions): Promise<ExecHandle> {
    if (options.process.args[0] === 'missing') throw new RuntimeError('exec: "missing": executable file not found in $PATH');
    let finish!: (code: number) => void;
    const exited = new Promise<number>((r) => (finish = r));
    this.execs.set(options.execId, { options, finish });
    return { pid: ++this.#pid, exited };
  }
  /** What a healthcheck probe returns; by default the probe succeeds with no output. */
  probeResult: (o: ProbeOptions) => Promise<ProbeResult> = async () => ({ exitCode: 0, output: Buffer.alloc(0), truncated: false, timedOut: false });
  readonly probes: ProbeOptions[] = [];
  async probe(o: ProbeOptions): Promise<ProbeResult> {
    this.probes.push(o);
    return this.probeResult(o);
  }
  async removeExec() {}
  async resizeExec() {}
  async pids(id: string) {
    const c = this.live.get(id);
    return c ? [c.pid] : [];
  }
  /**
   * The container's process ends: output closes, the exit is recorded, the watcher fires — unless
   * `reported` is false: then the watcher has not fired yet (it lags behind conmon's exit file).
   */
  exit(id: string, code: number, options: { reported?: boolean } = {}) {
    for (const a of this.live.get(id)?.attaches ?? []) a.end();
    this.exits.set(id, { exitCode: code, finishedAt: this.#clock.now(), oomKilled: false });
    if (options.reported !== false) this.#onExit?.(id);
  }
}

/** No networks: every container gets a namespace of its own with loopback (host mode: the host's). */
export class FakeNetworking implements ContainerNetworking {
  readonly sandboxes = new Set<string>();
  restored?: ReadonlySet<string>;

  plan(): Record<string, EndpointSettings> {
    return {};
  }
  async setUp(req: SandboxRequest): Promise<SandboxResult> {
    this.sandboxes.add(req.containerId);
    return { namespace: req.mode === 'host' ? { mode: 'host' } : { mode: 'private' }, sandboxId: '', sandboxKey: '', networks: {}, ports: {} };
  }
  async tearDown(containerId: string): Promise<void> {
    this.sandboxes.delete(containerId);
  }
  async connect(): Promise<EndpointSettings> {
    throw new NotFound('network not found');
  }
  async disconnect(): Promise<void> {
    throw new NotFound('network not found');
  }
  sandboxPath(): string | undefined {
    return undefined;
  }
  sandboxUserns(): string | undefined {
    return undefined;
  }
  defaultGateway(): string {
    return '172.17.0.1';
  }
  /** No user networks, so no embedded resolver: containers keep the host's name servers. */
  nameserver(): string | undefined {
    return undefined;
  }
  get(ref: string): { Id: string; Name: string; Driver: string } {
    throw new NotFound(`network ${ref} not found`);
  }
  async restore(running: ReadonlySet<string>): Promise<void> {
    this.restored = running;
  }
}

/** Volumes as directories under `root`, counting who has them mounted. */
export class FakeVolumes implements ContainerVolumes {
  readonly mounted = new Map<string, Set<string>>();
  readonly #root: string;
  readonly #names = new Set<string>();

  constructor(root: string) {
    this.#root = root;
  }
  #path(name: string): string {
    return join(this.#root, name);
  }
  async create(o: { name?: string }): Promise<{ Name: string; Mountpoint: string }> {
    const name = o.name || newId();
    await fsp.mkdir(this.#path(name), { recursive: true });
    this.#names.add(name);
    return { Name: name, Mountpoint: this.#path(name) };
  }
  has(name: string): boolean {
    return this.#names.has(name);
  }
  async mount(name: string, containerId: string): Promise<string> {
    const users = this.mounted.get(name) ?? new Set<string>();
    users.add(containerId);
    this.mounted.set(name, users);
    return this.#path(name);
  }
  async unmount(name: string, containerId: string): Promise<void> {
    this.mounted.get(name)?.delete(containerId);
  }
  async releaseUnused(): Promise<void> {
    for (const [name, users] of this.mounted) if (users.size === 0) this.mounted.delete(name);
  }
  async remove(name: string): Promise<void> {
    this.#names.delete(name);
    await fsp.rm(this.#path(name), { recursive: true, force: true });
  }
  async isEmpty(name: string): Promise<boolean> {
    return (await fsp.readdir(this.#path(name))).length === 0;
  }
  async populate(name: string, source: string): Promise<void> {
    await fsp.cp(source, this.#path(name), { recursive: true });
  }
}

/** Records what commit asked for and answers with a made-up image id. */
export class FakeCommitter implements ImageCommitter {
  readonly requests: CommitRequest[] = [];
  async commit(req: CommitRequest): Promise<{ id: string; ref?: string }> {
    this.requests.push(req);
    req.diff.resume();
    return { id: 'sha256:' + 'c'.repeat(64), ...(req.repo ? { ref: `${req.repo}:${req.tag ?? 'latest'}` } : {}) };
  }
}

/** What a cgroup v1 host with every controller can limit (this project's VM). */
export const fakeV1Features: CgroupFeatures = {
  mode: 'v1',
  memoryLimit: true,
  swapLimit: true,
  memoryReservation: true,
  oomKillDisable: true,
  memorySwappiness: true,
  kernelMemory: true,
  cpuShares: true,
  cpuCfs: true,
  cpuRealtime: false,
  cpuset: true,
  cpus: '0-1',
  mems: '0',
  pidsLimit: true,
  blkioWeight: false,
  blkioWeightDevice: false,
  blkioReadBpsDevice: true,
  blkioWriteBpsDevice: true,
  blkioReadIOpsDevice: true,
  blkioWriteIOpsDevice: true,
};

export const fakeHost: HostFacts = {
  features: fakeV1Features,
  numCpus: 2,
  arch: 'amd64',
  kernel: { major: 6, minor: 1 },
  seccompAvailable: true,
  cgroupNamespaces: true,
  machineMemory: 8 * 1024 ** 3,
};

/** /proc as a map of file contents; a missing file rejects with ENOENT as the real one does. */
export class FakeProc implements ProcFiles {
  readonly files = new Map<string, string>();
  async read(path: string): Promise<string> {
    const text = this.files.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: /proc/${path}`), { code: 'ENOENT' });
    return text;
  }
}

/** The engine's view of the Cgroups port over a fake runtime's cgroupfs. */
function engineCgroups(c: FakeRuntimeCgroups): ContainerCgroups {
  return {
    stats: async (p) => (await c.cgroups).stats(p),
    update: async (p, r) => (await c.cgroups).update(p, r),
    oomKills: async (p) => (await c.cgroups).oomKills(p),
  };
}

/**
 * An engine on fakes. A second engine given the first one's `runtime` and `mounts` (and root) is
 * berthd after a crash: the runtime's containers and the mounts outlived it.
 */
export function fakeEngine(root: string, options: { clock?: FakeClock; host?: Partial<HostFacts>; runtime?: FakeRuntime; mounts?: Map<string, number> } = {}) {
  const clock = options.clock ?? new FakeClock();
  const cgroupFs = new FakeCgroupFs({ mode: 'v1', cpus: '0-1' });
  const runtimeCgroups = { fs: cgroupFs, cgroups: openCgroups(cgroupFs) };
  const runtime = options.runtime ?? new FakeRuntime(clock, runtimeCgroups);
  const images: ImageLookup = {
    resolve: (ref) => {
      if (ref !== 'img') throw Object.assign(new Error(`No such image: ${ref}`), { kind: 'not-found' });
      return { id: 'sha256:' + 'a'.repeat(64), config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { ...emptyContainerConfig(), Cmd: ['sh'] } }, size: 0 };
    },
    get: () => undefined,
  };
  // mounts counted per container, as the overlay driver counts them
  const mounts = options.mounts ?? new Map<string, number>();
  const layers: ContainerLayers & { sweep(): Promise<void>; unmountIdle(running: ReadonlySet<string>): Promise<void>; mounts: Map<string, number> } = {
    mounts,
    createRwLayer: async (id) => mkdirSync(join(root, 'rw', id), { recursive: true }),
    mountRw: async (id) => {
      mounts.set(id, (mounts.get(id) ?? 0) + 1);
      return join(root, 'rw', id);
    },
    unmountRw: async (id) => {
      const n = (mounts.get(id) ?? 0) - 1;
      if (n > 0) mounts.set(id, n);
      else mounts.delete(id);
    },
    unmountIdle: async (running) => {
      for (const id of mounts.keys()) if (!running.has(id)) mounts.delete(id);
    },
    removeRwLayer: async () => {},
    describeRw: async () => ({}),
    rwSize: async () => 0,
    rwChanges: async () => [],
    rwDiff: () => Readable.from([]),
    exportRw: async () => Readable.from([]),
    sweep: async () => {},
  };
  const events = new EventBus({ clock });
  const network = new FakeNetworking();
  const volumes = new FakeVolumes(join(root, 'volumes'));
  const committer = new FakeCommitter();
  const ps = new FakeProcessTable([]);
  const store = new ContainerStore({ root: join(root, 'containers'), log: silentLogger });
  const proc = new FakeProc();
  const engine = new Engine({
    store,
    images,
    layers,
    runtime,
    network,
    volumes,
    committer,
    sys: new FakeSyscalls(),
    events,
    clock,
    ps,
    log: silentLogger,
    logs: new LogService({ log: silentLogger, datagram: refusingDatagrams }),
    config: {
      dataRoot: root,
      initPath: '/bin/true',
      hostResolvConf: '/nonexistent',
      dns: [],
      dnsSearch: [],
      dnsOptions: [],
      cgroupParent: 'berth-test',
      runtimeName: 'runc',
      containerDefaults: { ulimits: [], shmSize: 64 * 1024 * 1024, ipcMode: 'private', cgroupnsMode: 'host', noNewPrivileges: false },
    },
    cgroups: engineCgroups(runtimeCgroups),
    host: { ...fakeHost, ...options.host },
    proc,
  });
  return { engine, runtime, clock, events, network, volumes, committer, ps, store, layers, cgroupFs, cgroups: runtimeCgroups.cgroups, proc };
}
