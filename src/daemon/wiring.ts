// The one place Berth's subsystems are built and connected.
import { accessSync, constants, readFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import {
  Router,
  createApiServer,
  registerContainerRoutes,
  registerNetworkRoutes,
  registerExecRoutes,
  registerImageRoutes,
  registerRegistryRoutes,
  registerSystemRoutes,
  registerTransferRoutes,
  type ContainersBackend,
  type ExecBackend,
  type ImagesBackend,
  type TlsOptions,
  type TransferBackend,
  registerArchiveRoutes,
  registerVolumeRoutes,
  registerBuildRoutes,
} from '../api/index.ts';
import { hostPlatform } from '../builder/index.ts';
import { BuildService } from '../builder-backend/index.ts';
import { Engine, EventBus, type ContainerLayers, type ImageLookup } from '../engine/index.ts';
import { SystemError } from '../errors/index.ts';
import { ImageService, ImageStore, commitImage, imageDiskUsage, loadImages, pruneImages, saveImages, selectImages, sweepTransferTemp, type TarExportDeps } from '../image/index.ts';
import { DistributionService } from '../distribution/index.ts';
import type { Logger } from '../lib/index.ts';
import { IprouteNetlink, IptablesFirewall, NetworkService, SocketPortBinder, type NetworkCreateRequest } from '../network/index.ts';
import { ConmonRuntime } from '../runtime/index.ts';
import { LayerStore, Overlay2Driver } from '../storage/index.ts';
import { MNT_DETACH, loadSyscalls } from '../sys/index.ts';
import { VolumeService, dirSize } from '../volume/index.ts';
import type { DaemonConfig } from './config.ts';
import { SystemInfo, berthVersion } from './system-info.ts';

export function findExecutable(name: string, extra: string[] = []): string {
  if (name.includes('/')) return name;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', ...extra];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  throw new SystemError(`${name} not found in PATH: install it (make deps)`);
}

export interface Daemon {
  server(tls?: TlsOptions): http.Server;
  engine: Engine;
  images: ImageService;
  close(): Promise<void>;
}

export async function wire(config: DaemonConfig, log: Logger): Promise<Daemon> {
  const sys = loadSyscalls();
  const dataRoot = config.dataRoot;
  const driver = new Overlay2Driver(join(dataRoot, 'overlay2'), sys);
  await driver.init();
  const layers = new LayerStore({ root: join(dataRoot, 'image', 'overlay2', 'layerdb'), driver, log });
  await layers.load();
  const imageStore = new ImageStore({ root: join(dataRoot, 'image', 'overlay2'), layers, log });
  await imageStore.load();

  const runtimeEntry = config.runtimes[config.defaultRuntime];
  const runtimePath = findExecutable(runtimeEntry?.path ?? (config.defaultRuntime === 'runc' ? 'runc' : config.defaultRuntime));
  const conmonPath = findExecutable('conmon', ['/usr/libexec/podman', '/usr/lib/podman']);
  const initPath = (() => {
    for (const p of ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init']) {
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // next
      }
    }
    return findExecutable('tini');
  })();
  const runtime = new ConmonRuntime({ execRoot: config.execRoot, runtimePath, conmonPath, sys, log });
  await runtime.init();
  const events = new EventBus();

  // The image service asks the engine which containers use an image; the engine needs the image
  // service to resolve images: the late-bound getter breaks the construction cycle.
  const late: { engine?: Engine } = {};
  const distribution = new DistributionService({
    images: imageStore,
    layers,
    imageRoot: join(dataRoot, 'image', 'overlay2'),
    tmpDir: join(dataRoot, 'tmp'),
    registry: { insecureRegistries: config.insecureRegistries, registryMirrors: config.registryMirrors },
    // the spec's chunked uploads instead of docker's one streamed PATCH (for registries that need them)
    ...(Number(process.env.BERTH_REGISTRY_CHUNK_SIZE) > 0 ? { uploadChunkSize: Number(process.env.BERTH_REGISTRY_CHUNK_SIZE) } : {}),
  });
  const images = new ImageService({ images: imageStore, layers, users: () => late.engine!, graphRoot: join(dataRoot, 'overlay2'), registry: distribution });
  const imageLookup: ImageLookup = {
    resolve: (ref) => images.resolve(ref),
    get: (id) => images.get(id),
  };
  const containerLayers: ContainerLayers & { sweep(live: ReadonlySet<string>): Promise<void> } = {
    createRwLayer: (id, parent) => layers.createRwLayer(id, parent),
    mountRw: (id) => layers.mountRw(id),
    unmountRw: (id) => layers.unmountRw(id),
    removeRwLayer: (id) => layers.removeRwLayer(id),
    describeRw: async (id) => {
      const rw = layers.rwLayer(id);
      return rw ? driver.describe(rw.mountId) : {};
    },
    rwSize: async (id) => {
      const rw = layers.rwLayer(id);
      return rw ? driver.diffSize(rw.mountId) : 0;
    },
    changes: async (id) => {
      const rw = layers.rwLayer(id);
      return rw ? driver.changes(rw.mountId) : [];
    },
    sweep: (live) => layers.sweep(live),
  };
  // Networking: chains are named BERTH… unless BERTH_IPTABLES_CHAIN names others (test daemons
  // running beside a real one each get their own).
  const network = new NetworkService({
    dataRoot,
    execRoot: config.execRoot,
    bridge: config.bridge,
    bip: config.bip,
    mtu: config.mtu,
    iptables: config.iptables,
    ipForward: config.ipForward,
    userlandProxy: config.userlandProxy,
    netlink: new IprouteNetlink({ detach: (path) => sys.umount(path, MNT_DETACH) }),
    firewall: new IptablesFirewall({ prefix: process.env.BERTH_IPTABLES_CHAIN || 'BERTH', hairpin: !config.userlandProxy }),
    ports: new SocketPortBinder(),
    events,
    log: log.child({ subsystem: 'network' }),
  });
  await network.init();
  const volumes = new VolumeService({
    root: join(dataRoot, 'volumes'),
    sys,
    log: log.child({ subsystem: 'volume' }),
    users: (name) => late.engine?.volumeUsers(name) ?? [],
    publish: (action, name, attributes) => events.publish('volume', action, name, attributes),
  });
  await volumes.init();
  const engine = new Engine({
    volumes,
    sys,
    network,
    dataRoot,
    images: imageLookup,
    layers: containerLayers,
    runtime,
    events,
    log,
    config: {
      dataRoot,
      initPath,
      logOpts: config.logOpts,
      hostResolvConf: '/etc/resolv.conf',
      dns: config.dns,
      dnsSearch: config.dnsSearch,
      dnsOptions: config.dnsOpts,
      cgroupParent: config.cgroupParent,
      runtimeName: config.defaultRuntime,
    },
    committer: {
      diffTar: (id) => layers.rwDiff(id),
      commitImage: async (req) => {
        const { image, ref } = await commitImage({ images: imageStore, layers }, req);
        return { id: image.id, ...(ref ? { ref } : {}) };
      },
    },
    exporter: { exportTar: (id) => layers.exportRw(id) },
  });
  late.engine = engine;
  await engine.init();
  const eng = engine;

  const system = new SystemInfo({
    config,
    runtimePath,
    initPath,
    counts: () => eng.counts(),
    imageCount: () => images.count(),
  });
  const imagesBackend: ImagesBackend = {
    list: (o) => images.list(o),
    inspect: (n) => images.inspect(n),
    history: (n) => images.history(n),
    tag: (s, r, t) => images.tag(s, r, t),
    remove: (n, o) => images.remove(n, o),
    importImage: (src, o) => images.importImage(src, o),
    pull: (o) => images.pull(o),
  };
  const containersBackend: ContainersBackend = {
    create: (req, o) => eng.create(req, o),
    list: (o) => eng.list(o),
    inspect: (r, o) => eng.inspect(r, o),
    start: (r) => eng.start(r),
    stop: (r, o) => eng.stop(r, o),
    restart: (r, o) => eng.restart(r, o),
    kill: (r, s) => eng.kill(r, s),
    remove: (r, o) => eng.remove(r, o),
    rename: (r, n) => eng.rename(r, n),
    wait: (r, c, s) => eng.wait(r, c, s),
    logs: (r, o, s) => eng.logs(r, o, s),
    attach: (r, o, w) => eng.attach(r, o, w),
    resize: (r, s) => eng.resize(r, s),
    isTty: (r) => eng.get(r).record.Config.Tty,
    pause: (r) => eng.pause(r),
    unpause: (r) => eng.unpause(r),
    top: (r, a) => eng.top(r, a),
  };
  const execBackend: ExecBackend = {
    createExec: (r, req) => eng.createExec(r, req),
    startExec: (id, o, w) => eng.startExec(id, o, w),
    execIsTty: (id) => eng.execIsTty(id),
    inspectExec: (id) => eng.inspectExec(id),
    resizeExec: (id, size) => eng.resizeExec(id, size),
  };
  // Builds: the builder's ports over the engine (RUN containers), the layer and image stores.
  const builds = new BuildService({
    dataRoot,
    sys,
    layers,
    log: log.child({ subsystem: 'builder' }),
    hostPlatform: hostPlatform(),
    images: {
      get: (id) => imageStore.get(id),
      find: (ref) => imageStore.find(ref),
      create: (raw, o) => imageStore.create(raw, o),
      pull: (o) => images.pull(o),
      tag: (id, ref) => imageStore.tag(id, ref),
      references: (id) => imageStore.references(id),
      children: (id) => imageStore.children(id),
      list: () => imageStore.list(),
      delete: (id) => imageStore.delete(id),
    },
    containers: {
      create: (req) => eng.create(req),
      attach: (id, o, w) => eng.attach(id, o, w),
      start: (id) => eng.start(id),
      nextExit: (id, signal) => eng.wait(id, 'next-exit', signal),
      kill: (id, signal) => eng.kill(id, signal),
      remove: (id, o) => eng.remove(id, o),
      withLabel: async (label) => (await eng.list({ all: true, size: false, filters: new Map([['label', [label]]]) })).map((c) => c.Id),
      usesImage: (id) => eng.containersUsingImage(id).length > 0,
    },
  });
  await builds.init();
  const router = new Router();
  registerBuildRoutes(router, builds);
  registerSystemRoutes(router, system);
  registerImageRoutes(router, imagesBackend);
  registerRegistryRoutes(router, {
    push: (o) => distribution.push(o),
    login: (auth, signal) => distribution.login(auth, signal),
    search: (term, o) => distribution.search(term, o),
  });
  registerContainerRoutes(router, containersBackend);
  registerNetworkRoutes(router, {
    list: (f) => network.list(f),
    inspect: (r) => network.inspect(r),
    create: (req) => network.create(req as NetworkCreateRequest),
    remove: (r) => network.remove(r),
    prune: (f) => network.prune(f),
    connect: (n, c, cfg) => eng.connectNetwork(c, n, cfg),
    disconnect: (n, c) => eng.disconnectNetwork(c, n),
  });
  registerExecRoutes(router, execBackend);
  // save/load/export/commit/prune/df.
  const tarDeps: TarExportDeps = { images: imageStore, layers, tmpRoot: join(dataRoot, 'tmp') };
  await sweepTransferTemp(tarDeps.tmpRoot);
  const transferBackend: TransferBackend = {
    saveImages: (names) => saveImages(tarDeps, selectImages(imageStore, names)),
    loadImages: (input, o) => loadImages(tarDeps, input, o),
    exportContainer: (r) => eng.export(r),
    commit: (r, o) => eng.commit(r, o),
    pruneImages: (f) => pruneImages({ service: images, layers, users: () => eng }, f),
    diskUsage: async (types) => {
      const out: Awaited<ReturnType<TransferBackend['diskUsage']>> = {};
      if (types.has('image')) Object.assign(out, imageDiskUsage({ service: images, layers, users: () => eng }));
      if (types.has('container')) out.Containers = await eng.list({ all: true, size: true, filters: new Map() });
      if (types.has('volume')) {
        out.Volumes = await Promise.all(
          volumes.list().Volumes.map(async (v) => ({ ...v, UsageData: { Size: await dirSize(v.Mountpoint).catch(() => -1), RefCount: eng.volumeUsers(v.Name).length } })),
        );
      }
      if (types.has('build-cache')) out.BuildCache = await builds.usage();
      return out;
    },
  };
  registerTransferRoutes(router, transferBackend);
  registerVolumeRoutes(router, {
    list: (f) => volumes.list(f),
    get: (n) => volumes.get(n),
    create: (o) => volumes.create(o),
    remove: (n, o) => volumes.remove(n, o),
    prune: (f, o) => volumes.prune(f, o),
  });
  registerArchiveRoutes(router, {
    statPath: (r, p) => eng.statPath(r, p),
    archivePath: (r, p) => eng.archivePath(r, p),
    extractToDir: (r, p, input, o) => eng.extractToDir(r, p, input, o),
    changes: (r) => eng.changes(r),
  });

  return {
    server: (tls) => createApiServer(router, { log, info: { version: berthVersion }, ...(tls ? { tls } : {}) }),
    engine: eng,
    images,
    close: async () => {
      await network.close();
      runtime.close();
    },
  };
}

export function readTls(config: DaemonConfig): TlsOptions | undefined {
  if (!config.tlscert || !config.tlskey) return undefined;
  return {
    cert: readFileSync(config.tlscert),
    key: readFileSync(config.tlskey),
    ...(config.tlsverify && config.tlscacert ? { ca: readFileSync(config.tlscacert) } : {}),
  };
}
