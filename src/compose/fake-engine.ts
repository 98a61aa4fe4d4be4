// A daemon in memory behind the ComposeEngine port, for unit tests of the executor and the
// commands: containers with states, names, labels and output, networks, volumes, images and an
// event stream, every call recorded in `calls`. A container's behaviour once started comes from
// `programs` by service (its output, its exit, its health); failures are injected by name.
import { Readable } from 'node:stream';
import type { ContainerSummary, JsonMessage, NetworkCreateBody } from '../types/index.ts';
import type { ContainerCreate } from './create-request.ts';
import { EngineError, type ComposeEngine, type ContainerInspectView, type EngineEvent, type ImageView, type LogLine, type NetworkView, type Stream, type VolumeView } from './engine.ts';
import type { VolumeCreateRequest } from './planner.ts';

export interface Program {
  /** Lines written (stdout) once started. */
  output?: string[];
  /** Exits with this code right after its output; undefined: runs until stopped. */
  exitCode?: number;
  /** The health it reports while running (a healthcheck is then configured). */
  health?: 'starting' | 'healthy' | 'unhealthy';
}

interface FakeContainer {
  id: string;
  name: string;
  request: ContainerCreate;
  state: 'created' | 'running' | 'paused' | 'exited';
  exitCode: number;
  created: number;
  output: LogLine[];
  networks: string[];
  health?: string;
}

/** A stream fed from outside, ended by close() or end(). */
class Feed<T> implements Stream<T> {
  #queue: T[] = [];
  #wake?: () => void;
  #ended = false;
  push(v: T): void {
    if (this.#ended) return;
    this.#queue.push(v);
    this.#wake?.();
  }
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }
  close(): void {
    this.end();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const v = this.#queue.shift();
      if (v !== undefined) {
        yield v;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
    }
  }
}

export class FakeEngine implements ComposeEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly networks = new Map<string, NetworkView>();
  readonly volumes = new Map<string, VolumeView>();
  readonly images = new Map<string, ImageView>();
  readonly calls: string[] = [];
  /** By service name. */
  programs: Record<string, Program> = {};
  /** Container names whose start fails, with the daemon's message. */
  failStart = new Map<string, string>();
  #seq = 0;
  #attached = new Map<string, Feed<LogLine>[]>();
  #subscribers: Feed<EngineEvent>[] = [];

  constructor(images: string[] = ['busybox']) {
    for (const ref of images) this.addImage(ref);
  }

  addImage(ref: string): void {
    this.images.set(ref, { Id: `sha256:${(++this.#seq).toString(16).padStart(64, '0')}`, RepoTags: [`${ref}:latest`], Created: '2024-01-01T00:00:00Z', Size: 1000 });
  }

  #id(): string {
    return (++this.#seq).toString(16).padStart(64, 'c');
  }

  #find(ref: string): FakeContainer {
    const c = this.containers.get(ref) ?? [...this.containers.values()].find((x) => x.name === ref || x.id.startsWith(ref));
    if (!c) throw new EngineError(404, `No such container: ${ref}`);
    return c;
  }

  #emit(c: FakeContainer, action: string, extra: Record<string, string> = {}): void {
    const e: EngineEvent = { Type: 'container', Action: action, Actor: { ID: c.id, Attributes: { name: c.name, ...extra } }, time: 0, timeNano: 0 };
    for (const s of this.#subscribers) s.push(e);
  }

  #image(c: FakeContainer): string {
    return c.request.body.Image ?? '';
  }

  #service(c: FakeContainer): string {
    return c.request.body.Labels?.['com.docker.compose.service'] ?? '';
  }

  #exit(c: FakeContainer, code: number): void {
    if (c.state !== 'running' && c.state !== 'paused') return;
    c.state = 'exited';
    c.exitCode = code;
    for (const f of this.#attached.get(c.id) ?? []) f.end();
    this.#attached.delete(c.id);
    this.#emit(c, 'die', { exitCode: String(code) });
  }

  async apiVersion(): Promise<string> {
    return '1.43';
  }

  async listContainers(o: { all: boolean; labels: Record<string, string | true> }): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => o.all || c.state === 'running' || c.state === 'paused')
      .filter((c) => Object.entries(o.labels).every(([k, v]) => (v === true ? c.request.body.Labels?.[k] !== undefined : c.request.body.Labels?.[k] === v)))
      .map((c) => ({
        Id: c.id,
        Names: [`/${c.name}`],
        Image: this.#image(c),
        ImageID: this.images.get(this.#image(c))?.Id ?? '',
        Command: [...(c.request.body.Cmd ?? [])].join(' '),
        Created: c.created,
        Ports: [],
        Labels: c.request.body.Labels ?? {},
        State: c.state,
        Status: c.state === 'exited' ? `Exited (${c.exitCode})` : c.state === 'running' ? 'Up' : 'Created',
        HostConfig: { NetworkMode: String(c.request.body.HostConfig.NetworkMode ?? '') },
        NetworkSettings: { Networks: Object.fromEntries(c.networks.map((n) => [n, {} as never])) },
        Mounts: this.#mounts(c),
      }));
  }

  /** Named volumes from the request's binds and mounts, as the daemon lists them. */
  #mounts(c: FakeContainer): ContainerSummary['Mounts'] {
    const out: ContainerSummary['Mounts'] = [];
    for (const b of c.request.body.HostConfig.Binds ?? []) {
      const [source, target] = b.split(':');
      if (!source.startsWith('/')) out.push({ Type: 'volume', Name: source, Source: '', Destination: target, Driver: 'local', Mode: 'rw', RW: true, Propagation: '' });
    }
    for (const m of c.request.body.HostConfig.Mounts ?? []) {
      if (m.Type === 'volume' && m.Source) out.push({ Type: 'volume', Name: m.Source, Source: '', Destination: m.Target, Driver: 'local', Mode: 'rw', RW: true, Propagation: '' });
    }
    return out;
  }

  async inspectContainer(id: string): Promise<ContainerInspectView> {
    const c = this.#find(id);
    const check = this.programs[this.#service(c)]?.health !== undefined || !!c.request.body.Healthcheck;
    return {
      Id: c.id,
      Name: `/${c.name}`,
      Created: new Date(c.created * 1000).toISOString(),
      State: {
        Status: c.state,
        Running: c.state === 'running',
        Paused: c.state === 'paused',
        Restarting: false,
        ExitCode: c.exitCode,
        ...(check && c.state === 'running' ? { Health: { Status: this.programs[this.#service(c)]?.health ?? 'starting' } } : {}),
      },
      Config: { Labels: c.request.body.Labels ?? null, Healthcheck: check ? { Test: ['CMD', 'true'] } : null, Image: this.#image(c), Tty: !!c.request.body.Tty, OpenStdin: false },
      Image: this.images.get(this.#image(c))?.Id ?? '',
      Mounts: [],
      NetworkSettings: { Networks: Object.fromEntries(c.networks.map((n) => [n, {}])) },
    };
  }

  async createContainer(request: ContainerCreate): Promise<{ id: string; warnings: string[] }> {
    this.calls.push(`create ${request.name}`);
    if ([...this.containers.values()].some((c) => c.name === request.name)) throw new EngineError(409, `Conflict. The container name "/${request.name}" is already in use`);
    if (!this.images.has(request.body.Image ?? '')) throw new EngineError(404, `No such image: ${request.body.Image}`);
    const id = this.#id();
    const primary = request.body.HostConfig.NetworkMode;
    const c: FakeContainer = { id, name: request.name, request, state: 'created', exitCode: 0, created: 1_700_000_000 + this.#seq, output: [], networks: primary ? [String(primary)] : [] };
    this.containers.set(id, c);
    this.#emit(c, 'create', request.body.Labels ?? {});
    return { id, warnings: [] };
  }

  async startContainer(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`start ${c.name}`);
    const failure = this.failStart.get(c.name);
    if (failure) throw new EngineError(500, failure);
    if (c.state === 'running') return;
    c.state = 'running';
    this.#emit(c, 'start');
    const program = this.programs[this.#service(c)] ?? {};
    // Output and exit come after the caller has seen the start, as with a real process.
    setImmediate(() => {
      for (const line of program.output ?? []) {
        const l: LogLine = { stream: 'stdout', text: line };
        c.output.push(l);
        for (const f of this.#attached.get(c.id) ?? []) f.push(l);
      }
      if (program.exitCode !== undefined) setImmediate(() => this.#exit(c, program.exitCode!));
    });
  }

  async stopContainer(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`stop ${c.name}`);
    this.#exit(c, 137);
    this.#emit(c, 'stop');
  }

  async restartContainer(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`restart ${c.name}`);
    this.#exit(c, 137);
    c.state = 'running';
    this.#emit(c, 'start');
  }

  async killContainer(id: string, o: { signal?: string }): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`kill ${c.name} ${o.signal ?? ''}`.trim());
    this.#exit(c, 137);
  }

  async pauseContainer(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`pause ${c.name}`);
    c.state = 'paused';
  }

  async unpauseContainer(id: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`unpause ${c.name}`);
    c.state = 'running';
  }

  async removeContainer(id: string, o: { force: boolean; volumes: boolean }): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`rm ${c.name}${o.volumes ? ' -v' : ''}`);
    if (c.state === 'running' && !o.force) throw new EngineError(409, `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    this.#exit(c, 137);
    this.containers.delete(c.id);
    this.#emit(c, 'destroy');
  }

  async renameContainer(id: string, name: string): Promise<void> {
    const c = this.#find(id);
    this.calls.push(`rename ${c.name} ${name}`);
    c.name = name;
  }

  async waitContainer(id: string): Promise<{ exitCode: number }> {
    const c = this.#find(id);
    while (c.state === 'running' || c.state === 'paused') await new Promise((r) => setImmediate(r));
    return { exitCode: c.exitCode };
  }

  async putArchive(id: string, path: string, tar: NodeJS.ReadableStream): Promise<void> {
    const c = this.#find(id);
    let size = 0;
    for await (const chunk of tar as Readable) size += (chunk as Buffer).length;
    this.calls.push(`archive ${c.name} ${path} ${size}`);
  }

  async logs(id: string, o: { follow: boolean }): Promise<Stream<LogLine>> {
    const c = this.#find(id);
    const f = new Feed<LogLine>();
    for (const l of c.output) f.push(l);
    if (o.follow && c.state === 'running') (this.#attached.get(c.id) ?? this.#attached.set(c.id, []).get(c.id)!).push(f);
    else f.end();
    return f;
  }

  async attach(id: string): Promise<Stream<LogLine>> {
    const c = this.#find(id);
    const f = new Feed<LogLine>();
    (this.#attached.get(c.id) ?? this.#attached.set(c.id, []).get(c.id)!).push(f);
    return f;
  }

  async top(id: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    this.#find(id);
    return { Titles: ['PID', 'CMD'], Processes: [['1', 'sleep']] };
  }

  async execAndWait(id: string, o: { cmd: string[] }): Promise<{ exitCode: number; output: string }> {
    const c = this.#find(id);
    this.calls.push(`exec ${c.name} ${o.cmd.join(' ')}`);
    const code = /^exit (\d+)$/.exec(o.cmd.join(' '));
    return { exitCode: code ? Number(code[1]) : 0, output: code ? `failed with ${code[1]}\n` : '' };
  }

  async listNetworks(): Promise<NetworkView[]> {
    return [...this.networks.values()];
  }

  async createNetwork(request: NetworkCreateBody): Promise<{ id: string }> {
    const name = request.Name ?? '';
    this.calls.push(`network create ${name}`);
    if (this.networks.has(name)) throw new EngineError(409, `network with name ${name} already exists`);
    const id = this.#id();
    this.networks.set(name, { Id: id, Name: name, Labels: request.Labels ?? {} });
    return { id };
  }

  async removeNetwork(name: string): Promise<void> {
    this.calls.push(`network rm ${name}`);
    if (!this.networks.delete(name)) throw new EngineError(404, `network ${name} not found`);
  }

  async connectNetwork(network: string, container: string): Promise<void> {
    const c = this.#find(container);
    this.calls.push(`network connect ${network} ${c.name}`);
    c.networks.push(network);
  }

  async listVolumes(): Promise<VolumeView[]> {
    return [...this.volumes.values()];
  }

  async createVolume(request: VolumeCreateRequest): Promise<VolumeView> {
    this.calls.push(`volume create ${request.Name}`);
    const v = { Name: request.Name, Labels: request.Labels, Driver: request.Driver ?? 'local' };
    this.volumes.set(request.Name, v);
    return v;
  }

  async removeVolume(name: string): Promise<void> {
    this.calls.push(`volume rm ${name}`);
    if (!this.volumes.delete(name)) throw new EngineError(404, `get ${name}: no such volume`);
  }

  async inspectImage(ref: string): Promise<ImageView | undefined> {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.Id === ref);
  }

  async pullImage(ref: string): Promise<AsyncIterable<JsonMessage>> {
    this.calls.push(`pull ${ref}`);
    if (ref.startsWith('missing')) throw new EngineError(404, `pull access denied for ${ref}, repository does not exist or may require 'docker login'`);
    this.addImage(ref);
    return Readable.from([{ status: 'Pulling fs layer', id: 'aaaa', progressDetail: {} }, { status: 'Pull complete', id: 'aaaa', progressDetail: {} }]);
  }

  async pushImage(ref: string): Promise<AsyncIterable<JsonMessage>> {
    this.calls.push(`push ${ref}`);
    return Readable.from([{ status: 'Pushed', id: 'aaaa' }]);
  }

  async buildImage(context: NodeJS.ReadableStream, o: { tags: string[] }): Promise<AsyncIterable<JsonMessage>> {
    for await (const _ of context as Readable) {
      // the context is read whole, as a daemon does
    }
    this.calls.push(`build ${o.tags.join(',')}`);
    for (const t of o.tags) this.addImage(t);
    return Readable.from([{ stream: 'Step 1/1 : FROM busybox\n' }, { aux: { ID: this.images.get(o.tags[0])!.Id } }]);
  }

  async removeImage(ref: string): Promise<void> {
    this.calls.push(`rmi ${ref}`);
    if (!this.images.delete(ref)) throw new EngineError(404, `No such image: ${ref}`);
  }

  async events(): Promise<Stream<EngineEvent>> {
    const f = new Feed<EngineEvent>();
    this.#subscribers.push(f);
    return f;
  }

  /** The names of the containers, sorted. */
  names(): string[] {
    return [...this.containers.values()].map((c) => c.name).sort();
  }

  state(name: string): string | undefined {
    return [...this.containers.values()].find((c) => c.name === name)?.state;
  }
}
