// Fakes of the engine's ports for unit tests: an in-memory runtime whose containers exit on
// demand, layers that only make directories, and one image.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../lib/index.ts';
import { RuntimeError, type AttachConnection, type CreateOptions, type ExecHandle, type ExecOptions, type ExitStatus, type OciProcess } from '../runtime/index.ts';
import { emptyContainerConfig } from '../types/index.ts';
import { Engine } from './engine.ts';
import { EventBus, type ContainerLayers, type ContainerRuntime, type ImageLookup } from './context.ts';

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

export class FakeRuntime implements ContainerRuntime {
  readonly live = new Map<string, { pid: number; attaches: FakeAttach[] }>();
  readonly exits = new Map<string, ExitStatus>();
  /** Resolve to let `start` return: lets a test act between create and start. */
  startGate?: Promise<void>;
  #onExit?: (id: string) => void;
  #pid = 1000;

  watchExits(onExit: (id: string) => void) {
    this.#onExit = onExit;
  }
  async create(o: CreateOptions) {
    const pid = ++this.#pid;
    this.live.set(o.id, { pid, attaches: [] });
    return { pid };
  }
  async start() {
    await this.startGate;
  }
  async kill(id: string, signal: number) {
    if (this.live.has(id)) this.exit(id, 128 + signal);
  }
  async pause() {}
  async resume() {}
  async delete(id: string) {
    this.live.delete(id);
    this.exits.delete(id);
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
  async removeExec() {}
  async resizeExec() {}
  async pids(id: string) {
    const c = this.live.get(id);
    return c ? [c.pid] : [];
  }
  /** The container's process ends: output closes, the exit is recorded, the watcher fires. */
  exit(id: string, code: number) {
    for (const a of this.live.get(id)?.attaches ?? []) a.end();
    this.exits.set(id, { exitCode: code, finishedAt: new Date(), oomKilled: false });
    this.#onExit?.(id);
  }
}

export function fakeEngine(root: string) {
  const runtime = new FakeRuntime();
  const images: ImageLookup = {
    resolve: (ref) => {
      if (ref !== 'img') throw Object.assign(new Error(`No such image: ${ref}`), { kind: 'not-found' });
      return { id: 'sha256:' + 'a'.repeat(64), config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { ...emptyContainerConfig(), Cmd: ['sh'] } }, size: 0 };
    },
    get: () => undefined,
  };
  const layers: ContainerLayers & { sweep(): Promise<void> } = {
    createRwLayer: async (id) => mkdirSync(join(root, 'rw', id), { recursive: true }),
    mountRw: async (id) => join(root, 'rw', id),
    unmountRw: async () => {},
    removeRwLayer: async () => {},
    describeRw: async () => ({}),
    rwSize: async () => 0,
    changes: async () => [],
    sweep: async () => {},
  };
  const engine = new Engine({
    dataRoot: root,
    images,
    layers,
    runtime,
    events: new EventBus(),
    log: silentLogger,
    config: { dataRoot: root, initPath: '/bin/true', logOpts: {}, hostResolvConf: '/nonexistent', dns: [], dnsSearch: [], dnsOptions: [], cgroupParent: 'berth-test', runtimeName: 'runc' },
  });
  return { engine, runtime };
}
