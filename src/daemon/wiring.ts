// The one place Berth's subsystems are built and connected: constructors take their dependencies,
// and each API route table gets the service that owns its resource. No logic lives here — events
// are published by the services that act, configuration is read in config.ts, tools are found in
// tools.ts, system df is assembled in disk-usage.ts.
import { closeSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import {
  Router,
  createApiServer,
  registerArchiveRoutes,
  registerContainerRoutes,
  registerExecRoutes,
  registerImageRoutes,
  registerNetworkRoutes,
  registerRegistryRoutes,
  registerSystemRoutes,
  registerImageArchiveRoutes,
  registerContainerSnapshotRoutes,
  registerDiskUsageRoutes,
  registerVolumeRoutes,
  registerEventRoutes,
  registerDistributionRoutes,
  registerPluginRoutes,
  registerSwarmRoutes,
  registerBuildRoutes,
  type TlsOptions,
} from '../api/index.ts';
import { NodeCgroupFs, openCgroups } from '../cgroups/index.ts';
import { BuildService } from '../builder-backend/index.ts';
import { DistributionService } from '../distribution/index.ts';
import { ContainerStore, Engine, HostProcessTable } from '../engine/index.ts';
import { EventBus, JournalHistory } from '../events/index.ts';
import { ImageService, ImageStore } from '../image/index.ts';
import { SkippedRecords, hostPlatform, importPart, systemClock, type Logger } from '../lib/index.ts';
import { LogService } from '../logging/index.ts';
import { IprouteNetlink, IptablesFirewall, IptablesResolverRedirect, NetworkService, SocketPortBinder } from '../network/index.ts';
import { ConmonRuntime, idMappers } from '../runtime/index.ts';
import { LayerStore, Overlay2Driver } from '../storage/index.ts';
import { warmUp } from '../schema/index.ts';
import { MNT_DETACH, loadSyscalls } from '../sys/index.ts';
import { VolumeService } from '../volume/index.ts';
import type { DaemonConfig, RegistrySection } from './config.ts';
import { containerDefaults, seccompProfileName } from './container-defaults.ts';
import { DiskUsage } from './disk-usage.ts';
import { probeHost } from './host.ts';
import { NodeProcFiles } from './proc.ts';
import { SystemInfo, berthVersion, engineId } from './system-info.ts';
import { reloadDaemon } from './reload.ts';
import { locateTools } from './tools.ts';
import { remappedDataRoot, resolveUsernsRemap } from './userns-remap.ts';

export interface Daemon {
  server(tls?: TlsOptions): http.Server;
  engine: Engine;
  images: ImageService;
  /** SIGHUP: daemon.json's reloadable keys applied again (false when the file does not load). */
  reload(argv: readonly string[]): Promise<boolean>;
  close(): Promise<void>;
}

export async function wire(config: DaemonConfig, log: Logger): Promise<Daemon> {
  const sys = loadSyscalls();
  // first: a bad log-driver/log-opts in daemon.json stops berthd before it changes anything
  const logs = new LogService({
    log: log.child({ subsystem: 'logging' }),
    defaults: { type: config.logDriver, config: config.logOpts },
    datagram: { connect: (path) => sys.connectDatagram(path), send: (fd, data) => sys.sendDatagram(fd, data), close: (fd) => closeSync(fd) },
  });
  const clock = systemClock;
  const cgroups = await openCgroups(new NodeCgroupFs());
  const host = await probeHost(cgroups);
  const remap = config.usernsRemap ? await resolveUsernsRemap(config.usernsRemap) : undefined;
  const dataRoot = remap ? await remappedDataRoot(config.dataRoot, remap.root) : config.dataRoot;
  const defaults = containerDefaults(config, remap, host.features.mode);
  const journal = new JournalHistory({ dir: join(dataRoot, 'events'), log });
  const events = new EventBus({ clock, history: journal });
  const tmpRoot = join(dataRoot, 'tmp');
  const imageRoot = join(dataRoot, 'image', 'overlay2');

  // Records that cannot be loaded are skipped, logged once, and listed by GET /info.
  const skipped = new SkippedRecords(log);
  // userns-remap: layers hold the remapped ids on disk, containers' files are the remapped root's
  const ownership = remap ? { root: remap.root, ...idMappers(remap) } : undefined;
  const driver = new Overlay2Driver(join(dataRoot, 'overlay2'), sys, ownership ? { ownership } : {});
  await driver.init();
  const layers = new LayerStore({ root: join(imageRoot, 'layerdb'), driver, log, skipped });
  await layers.load();
  const imageStore = new ImageStore({ root: imageRoot, layers, log, skipped });
  await imageStore.load();

  const tools = locateTools(config);
  const runtime = new ConmonRuntime({ execRoot: config.execRoot, runtimePath: tools.runtimePath, conmonPath: tools.conmonPath, sys, log });
  await runtime.init();

  // The image and volume services ask which containers use an image or a volume, and the engine
  // needs both services: the engine's container store is built first and answers those questions
  // (their ImageUsers and VolumeUsers ports); the engine takes the same store. It is loaded by
  // engine.init(), before the API serves anything that could ask.
  const containers = new ContainerStore({ root: join(dataRoot, 'containers'), log, skipped, ...(remap ? { group: remap.root.gid } : {}) });

  const distribution = new DistributionService({
    images: imageStore,
    layers,
    imageRoot,
    tmpDir: tmpRoot,
    registry: { insecureRegistries: config.insecureRegistries, registryMirrors: config.registryMirrors },
    ...(config.registryChunkSize > 0 ? { uploadChunkSize: config.registryChunkSize } : {}),
    events,
  });
  distribution.configure({ maxConcurrentDownloads: config.maxConcurrentDownloads, maxConcurrentUploads: config.maxConcurrentUploads });
  const images = new ImageService({ images: imageStore, layers, users: containers, tmpRoot, registry: distribution, events });
  await images.init();

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
    firewall: new IptablesFirewall({ prefix: config.iptablesChain, hairpin: !config.userlandProxy }),
    ports: new SocketPortBinder(),
    resolverRedirect: new IptablesResolverRedirect(),
    events,
    log: log.child({ subsystem: 'network' }),
    skipped,
  });
  await network.init();

  const volumes = new VolumeService({ root: join(dataRoot, 'volumes'), sys, log: log.child({ subsystem: 'volume' }), users: containers, events, skipped, ...(remap ? { dataOwner: remap.root } : {}) });
  await volumes.init();

  const engineConfig = {
    dataRoot,
    initPath: tools.initPath,
    hostResolvConf: '/etc/resolv.conf',
    dns: config.dns,
    dnsSearch: config.dnsSearch,
    dnsOptions: config.dnsOpts,
    cgroupParent: config.cgroupParent,
    runtimeName: config.defaultRuntime,
    containerDefaults: defaults,
  };
  const engine = new Engine({
    store: containers,
    images,
    layers,
    runtime,
    network,
    volumes,
    committer: images,
    sys,
    events,
    clock,
    ps: new HostProcessTable(),
    logs,
    log,
    config: engineConfig,
    cgroups,
    host,
    proc: new NodeProcFiles(),
  });
  await engine.init();

  // Builds: RUN steps are the engine's containers, images go to the store, FROM pulls through the
  // image service. Its init sweeps what a killed build left, so it follows the engine's.
  const builds = new BuildService({
    dataRoot,
    sys,
    layers,
    images: imageStore,
    puller: images,
    containers: engine,
    users: containers,
    log: log.child({ subsystem: 'builder' }),
    hostPlatform: hostPlatform(),
  });
  await builds.init();

  const security = {
    seccompProfile: seccompProfileName(config),
    userns: remap !== undefined,
    noNewPrivileges: config.noNewPrivileges,
    cgroupnsPrivate: defaults.cgroupnsMode === 'private',
  };
  const system = new SystemInfo({ config, dataRoot, host, security, runtimePath: tools.runtimePath, initPath: tools.initPath, containers: engine, images, events, skipped });
  const router = new Router();
  registerSystemRoutes(router, system);
  registerImageRoutes(router, images);
  registerRegistryRoutes(router, distribution);
  registerDistributionRoutes(router, distribution);
  registerContainerRoutes(router, engine);
  registerNetworkRoutes(router, network, engine);
  registerExecRoutes(router, engine);
  registerImageArchiveRoutes(router, images);
  registerContainerSnapshotRoutes(router, engine);
  registerDiskUsageRoutes(router, new DiskUsage({ images, containers: engine, volumes, buildCache: builds }));
  registerVolumeRoutes(router, volumes);
  registerArchiveRoutes(router, engine);
  registerEventRoutes(router, events);
  registerPluginRoutes(router);
  registerSwarmRoutes(router);
  registerBuildRoutes(router, builds);

  // Berth's registry (daemon.json `registry`), loaded only when configured.
  const registry = config.registry ? await startRegistry(config.registry, log) : undefined;
  // The request and record validators compile while berthd waits for its first request.
  void warmUp();

  return {
    server: (tls) => createApiServer(router, { log, info: { version: berthVersion }, ...(tls ? { tls } : {}) }),
    engine,
    images,
    reload: (argv) => reloadDaemon({ config, log, registries: distribution, engineConfig, events, daemonId: () => engineId(dataRoot) }, argv),
    close: async () => {
      await engine.shutdown({ stopContainers: !config.liveRestore, timeoutMs: config.shutdownTimeout * 1000 });
      await registry?.close();
      await network.close();
      // the pipes stay open for the next berthd, whatever exits meanwhile
      await runtime.holdOutputs().catch((err: unknown) => log.warn('cannot hold the container output pipes open', { error: err }));
      await logs.close();
      runtime.close();
      journal.close();
    },
  };
}

async function startRegistry(section: RegistrySection, log: Logger): Promise<{ close(): Promise<void> }> {
  type RegistryModule = typeof import('../registry/index.ts');
  const m = await importPart<RegistryModule>({ bundle: 'berth-registry', source: new URL('../registry/index.ts', import.meta.url), caller: import.meta.url });
  return m.startConfiguredRegistry(
    {
      ...(section.config ? { config: section.config } : {}),
      ...(section.addr ? { addr: section.addr } : {}),
      ...(section.root ? { root: section.root } : {}),
      ...(section['tls-cert'] ? { tlsCert: section['tls-cert'] } : {}),
      ...(section['tls-key'] ? { tlsKey: section['tls-key'] } : {}),
    },
    log.child({ component: 'registry' }),
  );
}

export function readTls(config: DaemonConfig): TlsOptions | undefined {
  if (!config.tlscert || !config.tlskey) return undefined;
  return {
    cert: readFileSync(config.tlscert),
    key: readFileSync(config.tlskey),
    ...(config.tlsverify && config.tlscacert ? { ca: readFileSync(config.tlscacert) } : {}),
  };
}
