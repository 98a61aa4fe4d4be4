// The one place Berth's subsystems are built and connected.
import { accessSync, constants, readFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import {
  Router,
  createApiServer,
  registerContainerRoutes,
  registerImageRoutes,
  registerSystemRoutes,
  type ContainersBackend,
  type ImagesBackend,
  type TlsOptions,
} from '../api/index.ts';
import { Engine, EventBus, type ContainerLayers, type ImageLookup } from '../engine/index.ts';
import { SystemError } from '../errors/index.ts';
import { ImageService, ImageStore } from '../image/index.ts';
import type { Logger } from '../lib/index.ts';
import { ConmonRuntime } from '../runtime/index.ts';
import { LayerStore, Overlay2Driver } from '../storage/index.ts';
import { loadSyscalls } from '../sys/index.ts';
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
  const images = new ImageService({ images: imageStore, layers, users: () => late.engine!, graphRoot: join(dataRoot, 'overlay2') });
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
  const engine = new Engine({
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
  };
  const router = new Router();
  registerSystemRoutes(router, system);
  registerImageRoutes(router, imagesBackend);
  registerContainerRoutes(router, containersBackend);

  return {
    server: (tls) => createApiServer(router, { log, info: { version: berthVersion }, ...(tls ? { tls } : {}) }),
    engine: eng,
    images,
    close: async () => {
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
