// The planner: from the model and what the daemon has (the project's containers, networks,
// volumes and images, as plain data) to the actions `up` (and `create`, `down`) must take, in an
// order that respects depends_on — each action lists the actions it must wait for, and the list
// itself is one valid order. It decides what compose v2's reconciler decides: which images to
// pull or build, which networks and volumes to create, which containers to create, recreate
// (config hash, image or mounts changed), scale up or down, start, and which dependency
// conditions to wait for. The executor carries the actions out through the Engine API.
//
// Images first: whether a container must be recreated depends on the id of the image it will
// run, which is known only once pulls and builds are done. So `up` plans the image actions,
// runs them, observes again and plans the rest (planUp's `images` and `converge` halves).
import { InvalidArgument, NotFound } from '../errors/index.ts';
import type { IpamConfigBody, NetworkCreateBody } from '../types/index.ts';
import { buildCreateRequest, serviceLinks, type ContainerCreate } from './create-request.ts';
import { dependencyOrder, dependents } from './graph.ts';
import { networkConfigHash, serviceConfigHash, volumeConfigHash } from './hash.ts';
import { composeVersion as defaultComposeVersion, containerName, labels, networkLabels, volumeLabels } from './labels.ts';
import { serviceImage, serviceScale, type BuildConfig, type ComposeProject, type DependencyCondition, type NetworkConfig, type ServiceConfig, type VolumeConfig } from './model.ts';
import { parseComposeDuration } from './to-model.ts';
import { sortedKeys } from './tree.ts';

// ---------------------------------------------------------------------------------------------
// What the daemon has (read by the executor; plain data so the planner stays pure)

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ObservedContainer {
  id: string;
  /** Without the leading '/'. */
  name: string;
  state: ContainerState;
  labels: Readonly<Record<string, string>>;
  /** Unix seconds (ties between equal numbers). */
  created?: number;
  /** Names of the networks it is connected to. */
  networks?: readonly string[];
  mounts?: ReadonlyArray<{ type: string; name?: string; destination: string }>;
}

export interface ObservedNetwork {
  id: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface ObservedVolume {
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface ObservedImage {
  id: string;
  /** When the tag was last set (ms since the epoch), for the daily/weekly/every_ pull policies. */
  lastTagTime?: number;
}

export interface ObservedState {
  /** Every container labelled com.docker.compose.project=<name>, one-off ones included. */
  containers: readonly ObservedContainer[];
  /** The project's networks (by label), and those whose name a declared network uses. */
  networks: readonly ObservedNetwork[];
  /** The project's volumes (by label), and those whose name a declared volume uses. */
  volumes: readonly ObservedVolume[];
  /** Local images by the reference the model uses. */
  images: Readonly<Record<string, ObservedImage>>;
}

// ---------------------------------------------------------------------------------------------
// Actions

/** An existing container, or the one an earlier create action makes. */
export type ContainerRef = { id: string; name: string } | { createdBy: number };

interface ActionBase {
  /** 1-based, in list order. */
  id: number;
  /** Actions that must have completed first. */
  after: number[];
}

export interface VolumeCreateRequest {
  Name: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels: Record<string, string>;
}

export type Action = ActionBase &
  (
    | { kind: 'pull-image'; image: string; services: string[]; platform?: string; /** A failure is tolerated: the image can be built. */ optional: boolean }
    | { kind: 'build-image'; service: string; image: string; build: BuildConfig; /** Skip when the image exists after the pulls (compose builds only what it could not pull). */ skipIfPresent: boolean }
    | { kind: 'create-network'; key: string; name: string; request: NetworkCreateBody; reason: string }
    | { kind: 'remove-network'; key: string; name: string; reason: string }
    | { kind: 'create-volume'; key: string; name: string; request: VolumeCreateRequest; reason: string }
    | { kind: 'create-container'; service: string; number: number; name: string; request: ContainerCreate; reason: string; replaces?: ObservedContainer }
    | { kind: 'rename-container'; service: string; number: number; container: ContainerRef; name: string }
    | { kind: 'stop-container'; service: string; number: number; container: ContainerRef; timeout?: number; reason: string }
    | { kind: 'remove-container'; service: string; number: number; container: ContainerRef; reason: string; removeVolumes: boolean }
    | { kind: 'start-container'; service: string; number: number; container: ContainerRef; reason: string }
    | { kind: 'unpause-container'; service: string; number: number; container: ContainerRef }
    | {
        kind: 'wait';
        /** The service whose containers are awaited. */
        service: string;
        /** 'running_or_healthy': healthy when a healthcheck is defined, else running (--wait). */
        condition: DependencyCondition | 'running_or_healthy';
        required: boolean;
        /** Who waits: a dependent service, or the project (--wait). */
        for: string;
        containers: ContainerRef[];
      }
    | { kind: 'remove-image'; image: string }
    | { kind: 'remove-volume'; key: string; name: string }
  );

export type ActionKind = Action['kind'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An action before the plan numbers it. */
export type ActionInput = DistributiveOmit<Action, 'id' | 'after'>;

export interface Plan {
  actions: Action[];
  /** What compose prints as warnings (orphans, reused networks, diverged volumes…). */
  warnings: string[];
}

class PlanBuilder {
  readonly actions: Action[] = [];
  readonly warnings: string[] = [];

  add(action: ActionInput, after: Iterable<number | undefined> = []): number {
    const id = this.actions.length + 1;
    const deps = [...new Set([...after].filter((d): d is number => d !== undefined))].sort((a, b) => a - b);
    this.actions.push({ ...action, id, after: deps } as Action);
    return id;
  }
}

/** A readable rendering, one action a line: `#3 [1,2] create-container web-1 (no existing container)`. */
export function describePlan(plan: Plan): string {
  return plan.actions
    .map((a) => {
      const what = (() => {
        switch (a.kind) {
          case 'pull-image':
            return `${a.image}${a.optional ? ' (optional)' : ''}`;
          case 'build-image':
            return `${a.image} for ${a.service}${a.skipIfPresent ? ' (if missing)' : ''}`;
          case 'create-network':
          case 'create-volume':
            return `${a.name} (${a.reason})`;
          case 'remove-network':
            return `${a.name} (${a.reason})`;
          case 'create-container':
            return `${a.name} (${a.reason})`;
          case 'rename-container':
            return `#${'createdBy' in a.container ? a.container.createdBy : a.container.name} -> ${a.name}`;
          case 'stop-container':
          case 'remove-container':
          case 'start-container':
            return `${refName(a.container)} (${a.reason})`;
          case 'unpause-container':
            return refName(a.container);
          case 'wait':
            return `${a.service} ${a.condition} for ${a.for}${a.required ? '' : ' (optional)'}`;
          case 'remove-image':
            return a.image;
          case 'remove-volume':
            return a.name;
        }
      })();
      return `#${a.id} [${a.after.join(',')}] ${a.kind} ${what}`;
    })
    .join('\n');
}

function refName(ref: ContainerRef): string {
  return 'createdBy' in ref ? `#${ref.createdBy}` : ref.name;
}

// ---------------------------------------------------------------------------------------------
// Options

export type RecreateStrategy = 'diverged' | 'force' | 'never';

export interface UpOptions {
  /** Services named on the command line (the others in the project are their dependencies). */
  services?: readonly string[];
  /** --force-recreate (force), --no-recreate (never); default diverged. */
  recreate?: RecreateStrategy;
  /** For the dependencies of the named services: --always-recreate-deps (force), --no-recreate (never). */
  recreateDependencies?: RecreateStrategy;
  /** --scale svc=n */
  scale?: Readonly<Record<string, number>>;
  /** --remove-orphans */
  removeOrphans?: boolean;
  /** --build (always), --no-build (never); default: build what is missing. */
  build?: 'auto' | 'always' | 'never';
  /** --pull always|missing|never|build */
  pull?: string;
  /** false for `create` (and `up --no-start`). */
  start?: boolean;
  /** --wait */
  wait?: boolean;
  /** -t / --timeout for stops, in seconds. */
  timeout?: number;
  /** Reuse the anonymous volumes of recreated containers (default; -V/--renew-anon-volumes turns it off). */
  inheritVolumes?: boolean;
  /** The engine's API version (berthd: 1.43). */
  apiVersion?: string;
  composeVersion?: string;
  /** Clock for the refresh pull policies (ms since the epoch). */
  now?: number;
}

/** `--scale web=3 --scale db=1`, with compose's messages. */
export function parseScaleFlags(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0 || eq === v.length - 1) throw new InvalidArgument(`invalid --scale option ${JSON.stringify(v)}. Should be SERVICE=NUM`);
    const n = v.slice(eq + 1);
    if (!/^[-+]?\d+$/.test(n)) throw new InvalidArgument(`strconv.Atoi: parsing ${JSON.stringify(n)}: invalid syntax`);
    out[v.slice(0, eq)] = Number(n);
  }
  return out;
}

function validateUpOptions(project: ComposeProject, options: UpOptions): void {
  for (const s of options.services ?? []) if (!project.services[s]) throw new NotFound(`no such service: ${s}`);
  for (const [s, n] of Object.entries(options.scale ?? {})) {
    if (!project.services[s]) throw new NotFound(`no such service: ${s}`);
    if (n < 0) throw new InvalidArgument(`services.${s}.scale: must be greater than or equal to 0`);
  }
}

function scaleOf(project: ComposeProject, name: string, options: UpOptions): number {
  const service = project.services[name];
  const n = options.scale?.[name] ?? serviceScale(service);
  if (n > 1 && service.container_name) {
    throw new InvalidArgument(
      `WARNING: The "${name}" service is using the custom container name "${service.container_name}". Docker requires each container to have a unique name. Remove the custom name to scale the service`,
    );
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Images

/** compose's pull policy names, with the refresh ones' interval. */
function pullPolicy(service: ServiceConfig, options: UpOptions): { policy: string; refreshMs?: number } {
  if (options.build === 'always' && service.build) return { policy: 'build' };
  const p = options.pull ?? service.pull_policy ?? 'missing';
  switch (p) {
    case 'always':
    case 'never':
    case 'missing':
    case 'build':
      return { policy: p };
    case 'if_not_present':
      return { policy: 'missing' };
    case 'refresh':
      // pull_refresh_after says how old the local image may get; without it, every up checks.
      return { policy: 'refresh', refreshMs: service.pull_refresh_after ? parseComposeDuration(service.pull_refresh_after) / 1e6 : 0 };
    case 'daily':
      return { policy: 'refresh', refreshMs: 24 * 3600e3 };
    case 'weekly':
      return { policy: 'refresh', refreshMs: 7 * 24 * 3600e3 };
    default:
      if (p.startsWith('every_')) return { policy: 'refresh', refreshMs: parseComposeDuration(p.slice('every_'.length)) / 1e6 };
      return { policy: 'missing' };
  }
}

/** The pulls and builds `up` needs before any container can be created. */
export function planImages(project: ComposeProject, observed: ObservedState, options: UpOptions = {}, builder = new PlanBuilder()): Plan {
  validateUpOptions(project, options);
  const pulls = new Map<string, number>();
  const builds = new Map<string, number>();
  const buildable = (image: string) => Object.values(project.services).some((s) => s.build && serviceImage(s, project.name) === image);
  for (const name of sortedKeys(project.services)) {
    const service = project.services[name];
    if (service.provider) continue;
    const image = serviceImage(service, project.name);
    const present = observed.images[image] !== undefined;
    const { policy, refreshMs } = pullPolicy(service, options);
    let pull = false;
    if (service.image !== undefined) {
      if (policy === 'always') pull = true;
      else if (policy === 'missing') pull = !present;
      else if (policy === 'refresh') {
        const tagged = observed.images[image]?.lastTagTime;
        pull = !present || tagged === undefined || (options.now ?? Date.now()) > tagged + (refreshMs ?? 0);
      }
    }
    if (pull) {
      const existing = pulls.get(image);
      if (existing === undefined) {
        pulls.set(image, builder.add({ kind: 'pull-image', image, services: [name], platform: service.platform, optional: buildable(image) }));
      } else {
        const a = builder.actions[existing - 1];
        if (a.kind === 'pull-image') a.services.push(name);
      }
    }
    if (service.build && options.build !== 'never' && (policy === 'build' || !present) && !builds.has(image)) {
      builds.set(image, builder.add({ kind: 'build-image', service: name, image, build: service.build, skipIfPresent: policy !== 'build' && pull }, [pulls.get(image)]));
    }
  }
  return { actions: builder.actions, warnings: builder.warnings };
}

// ---------------------------------------------------------------------------------------------
// Networks, volumes, containers

function labelOf(c: ObservedContainer, key: string): string | undefined {
  return c.labels[key];
}

function containerNumber(c: ObservedContainer): number {
  const n = Number.parseInt(labelOf(c, labels.containerNumber) ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

const isOneOff = (c: ObservedContainer) => labelOf(c, labels.oneoff) === 'True';

interface ServiceState {
  /** Final container names (lowest number first) once the plan has run. */
  names: string[];
  /** The action after which the service's containers exist under their final names. */
  ready: number[];
  /** Containers that will be there, and how to reach them. */
  containers: Array<{ number: number; ref: ContainerRef; running: boolean; paused: boolean; name: string; createdOrStopped: boolean }>;
  recreated: boolean;
}

/** Everything `up` does once the images exist: networks, volumes, containers, starts, waits. */
export function planConverge(project: ComposeProject, observed: ObservedState, options: UpOptions = {}, builder = new PlanBuilder()): Plan {
  validateUpOptions(project, options);
  const imageActions = new Map<string, number>();
  for (const a of builder.actions) if (a.kind === 'pull-image' || a.kind === 'build-image') imageActions.set(a.image, a.id);
  const version = options.composeVersion ?? defaultComposeVersion;

  // Containers by service; the others are orphans.
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.disabledServices)]);
  const byService = new Map<string, ObservedContainer[]>();
  const orphans: ObservedContainer[] = [];
  for (const c of observed.containers) {
    const svc = labelOf(c, labels.service) ?? '';
    if (!isOneOff(c) && known.has(svc)) {
      if (project.services[svc]) (byService.get(svc) ?? byService.set(svc, []).get(svc)!).push(c);
    } else if (isOneOff(c) ? c.state === 'exited' || c.state === 'dead' : true) orphans.push(c);
  }

  // Networks: external ones must exist; ours are created, or recreated when their definition changed.
  const networkReady = new Map<string, number>();
  const recreatedNetworks = new Set<string>();
  for (const key of sortedKeys(project.networks)) {
    const net = project.networks[key];
    const mine = observed.networks.filter((n) => n.labels[labels.project] === project.name && n.labels[labels.network] === key);
    const byName = observed.networks.filter((n) => n.name === net.name);
    if (net.external) {
      if (byName.length === 0) throw new NotFound(`network ${net.name} declared as external, but could not be found`);
      if (byName.length > 1) throw new InvalidArgument(`multiple networks with name ${JSON.stringify(net.name)} were found. Use network ID as \`name\` to avoid ambiguity`);
      continue;
    }
    const live = mine.find((n) => n.name === net.name) ?? mine[0] ?? byName[0];
    if (!live) {
      networkReady.set(key, builder.add({ kind: 'create-network', key, name: net.name, request: networkRequest(project.name, key, net, version), reason: 'not found' }));
      continue;
    }
    if (live.labels[labels.project] !== project.name) {
      builder.warnings.push(
        live.labels[labels.project] === undefined
          ? `a network with name ${net.name} exists but was not created by compose.\nSet \`external: true\` to use an existing network`
          : `a network with name ${net.name} exists but was not created for project ${JSON.stringify(project.name)}.\nSet \`external: true\` to use an existing network`,
      );
      continue;
    }
    const hash = live.labels[labels.configHash];
    if (hash !== undefined && hash !== networkConfigHash(net)) recreatedNetworks.add(key);
  }

  // Volumes: external ones must exist; a changed definition keeps the data (compose asks first).
  const volumeReady = new Map<string, number>();
  for (const key of sortedKeys(project.volumes)) {
    const vol = project.volumes[key];
    const byName = observed.volumes.find((v) => v.name === vol.name);
    if (vol.external) {
      if (!byName) throw new NotFound(`external volume ${JSON.stringify(vol.name)} not found`);
      continue;
    }
    const mine = observed.volumes.find((v) => v.labels[labels.project] === project.name && v.labels[labels.volume] === key && v.name === vol.name);
    const live = mine ?? byName;
    if (!live) {
      volumeReady.set(key, builder.add({ kind: 'create-volume', key, name: vol.name, request: volumeRequest(project.name, key, vol, version), reason: 'not found' }));
      continue;
    }
    if (live.labels[labels.project] !== undefined && live.labels[labels.project] !== project.name) {
      builder.warnings.push(`volume ${JSON.stringify(vol.name)} already exists but was created for project ${JSON.stringify(live.labels[labels.project])} (expected ${JSON.stringify(project.name)}). Use \`external: true\` to use an existing volume`);
    } else if (live.labels[labels.project] === undefined) {
      builder.warnings.push(`volume ${JSON.stringify(vol.name)} already exists but was not created by Docker Compose. Use \`external: true\` to use an existing volume`);
    }
    const hash = live.labels[labels.configHash];
    if (hash !== undefined && hash !== volumeConfigHash(vol)) {
      builder.warnings.push(`Volume ${JSON.stringify(vol.name)} exists but doesn't match configuration in compose file. It is kept as it is: remove it (down -v) to recreate it`);
    }
  }

  // A network whose definition changed is removed and created again; containers attached to it
  // are recreated (their create waits for the new network).
  const networkUsers = (key: string) => sortedKeys(project.services).filter((s) => project.services[s].networks && key in project.services[s].networks!);
  const removedContainers = new Map<string, number>();
  for (const key of [...recreatedNetworks].sort()) {
    const net = project.networks[key];
    const live = observed.networks.find((n) => n.labels[labels.project] === project.name && n.labels[labels.network] === key)!;
    const removals: number[] = [];
    for (const svc of networkUsers(key)) {
      for (const c of byService.get(svc) ?? []) {
        if (removedContainers.has(c.id)) {
          removals.push(removedContainers.get(c.id)!);
          continue;
        }
        const stop = c.state === 'running' || c.state === 'paused' || c.state === 'restarting'
          ? builder.add({ kind: 'stop-container', service: svc, number: containerNumber(c), container: { id: c.id, name: c.name }, timeout: options.timeout, reason: `network ${key} config changed` })
          : undefined;
        const rm = builder.add({ kind: 'remove-container', service: svc, number: containerNumber(c), container: { id: c.id, name: c.name }, reason: `network ${key} config changed`, removeVolumes: false }, [stop]);
        removedContainers.set(c.id, rm);
        removals.push(rm);
      }
    }
    const removed = builder.add({ kind: 'remove-network', key, name: live.name, reason: 'config hash diverged' }, removals);
    networkReady.set(key, builder.add({ kind: 'create-network', key, name: net.name, request: networkRequest(project.name, key, net, version), reason: 'recreate after config change' }, [removed]));
  }
  for (const [svc, list] of byService) byService.set(svc, list.filter((c) => !removedContainers.has(c.id)));

  const states = new Map<string, ServiceState>();
  const order = dependencyOrder(project.services);
  const targeted = (s: string) => !options.services || options.services.length === 0 || options.services.includes(s);
  const stoppedByPlan = new Map<string, number>();

  for (const name of order) {
    const service = project.services[name];
    const expected = scaleOf(project, name, options);
    const strategy = (targeted(name) ? options.recreate : options.recreateDependencies) ?? 'diverged';
    const hash = serviceConfigHash(service);
    const image = serviceImage(service, project.name);
    const imageAction = imageActions.get(image);
    const imageId = imageAction === undefined ? observed.images[image]?.id : undefined;
    const parents = sharedParents(service);
    const parentRecreated = parents.some((p) => states.get(p)?.recreated);

    const mustRecreate = (c: ObservedContainer): boolean => {
      if (strategy === 'never') return false;
      if (strategy === 'force' || parentRecreated) return true;
      if (labelOf(c, labels.configHash) !== hash) return true;
      if (imageId !== undefined && labelOf(c, labels.image) !== imageId) return true;
      if (c.state === 'running' && c.networks) {
        for (const key of Object.keys(service.networks ?? {})) {
          const netName = project.networks[key]?.name;
          if (netName && !c.networks.includes(netName)) return true;
        }
      }
      if (c.mounts) {
        for (const v of service.volumes ?? []) {
          if (v.type !== 'volume' || !v.source) continue;
          const volName = project.volumes[v.source]?.name;
          if (volName && !c.mounts.some((m) => m.type === 'volume' && m.name === volName)) return true;
        }
      }
      return false;
    };

    // Obsolete containers go first, then the highest numbers: scaling down keeps 1..n.
    const containers = [...(byService.get(name) ?? [])];
    const obsolete = new Map(containers.map((c) => [c.id, mustRecreate(c)]));
    containers.sort((a, b) => {
      const oa = obsolete.get(a.id)!;
      const ob = obsolete.get(b.id)!;
      if (oa !== ob) return oa ? -1 : 1;
      if (containerNumber(a) !== containerNumber(b)) return containerNumber(b) - containerNumber(a);
      return (a.created ?? 0) - (b.created ?? 0);
    });
    containers.reverse();

    const infra = [
      imageAction,
      ...Object.keys(service.networks ?? {}).map((k) => networkReady.get(k)),
      ...(service.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => volumeReady.get(v.source!)),
      ...sortedKeys(service.depends_on).flatMap((d) => states.get(d)?.ready ?? []),
    ];
    const state: ServiceState = { names: [], ready: [], containers: [], recreated: false };
    const containersOf = (svc: string) => states.get(svc)?.names ?? [];
    const serviceContainer = (svc: string) => states.get(svc)?.names[0];
    const request = (number: number, extra: { name?: string; replaces?: string; inherited?: Record<string, string> } = {}) =>
      buildCreateRequest(project, service, {
        number,
        name: extra.name,
        links: serviceLinks(project.name, service, number, containersOf),
        serviceContainer,
        imageId,
        apiVersion: options.apiVersion,
        replaces: extra.replaces,
        inheritedVolumes: extra.inherited,
        composeVersion: version,
      });

    containers.forEach((c, i) => {
      const number = containerNumber(c);
      const ref = { id: c.id, name: c.name };
      if (i >= expected) {
        const stop = isUp(c) ? builder.add({ kind: 'stop-container', service: name, number, container: ref, timeout: options.timeout, reason: 'scale down' }) : undefined;
        state.ready.push(builder.add({ kind: 'remove-container', service: name, number, container: ref, reason: 'scale down', removeVolumes: false }, [stop]));
        return;
      }
      const finalName = containerName(project.name, service, number);
      if (obsolete.get(c.id)) {
        state.recreated = true;
        // Dependents declared with `restart: true` are stopped while their dependency is replaced.
        const stopDependents: number[] = [];
        for (const dep of dependents(project, name, (d) => d.restart)) {
          for (const dc of byService.get(dep) ?? []) {
            if (!isUp(dc)) continue;
            let stop = stoppedByPlan.get(dc.id);
            if (stop === undefined) {
              stop = builder.add({ kind: 'stop-container', service: dep, number: containerNumber(dc), container: { id: dc.id, name: dc.name }, timeout: options.timeout, reason: `dependency ${name} being recreated` });
              stoppedByPlan.set(dc.id, stop);
            }
            stopDependents.push(stop);
          }
        }
        const tmpName = `${c.id.slice(0, 12)}_${finalName}`;
        const inherited = options.inheritVolumes === false ? undefined : anonymousVolumes(service, c);
        const create = builder.add(
          { kind: 'create-container', service: name, number, name: tmpName, request: request(number, { name: tmpName, replaces: `${name}-${number}`, inherited }), reason: 'config changed', replaces: c },
          [...infra, ...stopDependents],
        );
        let stop = stoppedByPlan.get(c.id);
        if (stop === undefined && isUp(c)) stop = builder.add({ kind: 'stop-container', service: name, number, container: ref, timeout: options.timeout, reason: `replaced by #${create}` }, [create]);
        const rm = builder.add({ kind: 'remove-container', service: name, number, container: ref, reason: `replaced by #${create}`, removeVolumes: false }, [stop, create]);
        const rename = builder.add({ kind: 'rename-container', service: name, number, container: { createdBy: create }, name: finalName }, [rm]);
        state.ready.push(rename);
        state.containers.push({ number, ref: { createdBy: create }, running: false, paused: false, name: finalName, createdOrStopped: true });
        state.names.push(finalName);
        return;
      }
      const stopped = stoppedByPlan.get(c.id);
      // A restarting container is the daemon's to bring back; compose leaves it alone.
      const running = (c.state === 'running' || c.state === 'restarting') && stopped === undefined;
      state.containers.push({ number, ref, running, paused: c.state === 'paused' && stopped === undefined, name: c.name, createdOrStopped: stopped !== undefined });
      if (stopped !== undefined) state.ready.push(stopped);
      state.names.push(c.name);
    });

    // Scale up with the next free numbers.
    let next = Math.max(0, ...(byService.get(name) ?? []).map(containerNumber)) + 1;
    for (let i = containers.length; i < expected; i++, next++) {
      const finalName = containerName(project.name, service, next);
      const create = builder.add(
        { kind: 'create-container', service: name, number: next, name: finalName, request: request(next), reason: 'no existing container' },
        infra,
      );
      state.ready.push(create);
      state.containers.push({ number: next, ref: { createdBy: create }, running: false, paused: false, name: finalName, createdOrStopped: true });
      state.names.push(finalName);
    }
    state.containers.sort((a, b) => a.number - b.number);
    state.names = state.containers.map((c) => c.name);
    states.set(name, state);
  }

  // Orphans: removed on request, else reported.
  if (orphans.length > 0) {
    if (options.removeOrphans) {
      for (const c of orphans) {
        const ref = { id: c.id, name: c.name };
        const svc = labelOf(c, labels.service) ?? '';
        const stop = isUp(c) ? builder.add({ kind: 'stop-container', service: svc, number: containerNumber(c), container: ref, timeout: options.timeout, reason: 'orphaned container' }) : undefined;
        builder.add({ kind: 'remove-container', service: svc, number: containerNumber(c), container: ref, reason: 'orphaned container', removeVolumes: false }, [stop]);
      }
    } else {
      builder.warnings.push(
        `Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
      );
    }
  }

  if (options.start !== false) planStarts(project, options, builder, states, order);
  return { actions: builder.actions, warnings: builder.warnings };
}

function isUp(c: ObservedContainer): boolean {
  return c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
}

/** Services whose containers this one shares a namespace or volumes with (`service:x`). */
function sharedParents(service: ServiceConfig): string[] {
  const out: string[] = [];
  for (const mode of [service.network_mode, service.ipc, service.pid]) if (mode?.startsWith('service:')) out.push(mode.slice('service:'.length));
  for (const v of service.volumes_from ?? []) if (!v.startsWith('container:')) out.push(v.split(':')[0]);
  return out;
}

/**
 * The anonymous volumes a recreated container hands over to its replacement: volume mounts of
 * the old container at a target the service declares without a source, or does not declare at
 * all (an image VOLUME, whose volume docker names with a 64-hex id).
 */
function anonymousVolumes(service: ServiceConfig, old: ObservedContainer): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const m of old.mounts ?? []) {
    if (m.type !== 'volume' || !m.name) continue;
    const declared = (service.volumes ?? []).find((v) => v.target === m.destination);
    if (declared ? declared.source === undefined && declared.type === 'volume' : /^[0-9a-f]{64}$/.test(m.name)) out[m.destination] = m.name;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function planStarts(project: ComposeProject, options: UpOptions, builder: PlanBuilder, states: Map<string, ServiceState>, order: string[]): void {
  const started = new Map<string, number[]>();
  for (const name of order) {
    const service = project.services[name];
    const state = states.get(name)!;
    const after = [...state.ready];
    for (const dep of sortedKeys(service.depends_on)) {
      const cfg = service.depends_on![dep];
      const depState = states.get(dep);
      if (!depState) continue;
      after.push(...(started.get(dep) ?? []), ...depState.ready);
      if (cfg.condition === 'service_started') continue;
      if (scaleOf(project, dep, options) === 0 || project.services[dep].provider) continue;
      after.push(
        builder.add(
          { kind: 'wait', service: dep, condition: cfg.condition, required: cfg.required, for: name, containers: depState.containers.map((c) => c.ref) },
          [...(started.get(dep) ?? []), ...depState.ready],
        ),
      );
    }
    const mine: number[] = [];
    if (scaleOf(project, name, options) > 0) {
      for (const c of state.containers) {
        if (c.running) continue;
        if (c.paused) mine.push(builder.add({ kind: 'unpause-container', service: name, number: c.number, container: c.ref }, after));
        else mine.push(builder.add({ kind: 'start-container', service: name, number: c.number, container: c.ref, reason: c.createdOrStopped ? 'created' : 'not running' }, after));
      }
    }
    started.set(name, mine.length > 0 ? mine : after);
  }
  if (options.wait) {
    const all = [...started.values()].flat();
    for (const name of order) {
      if (scaleOf(project, name, options) === 0 || project.services[name].provider) continue;
      const completed = Object.values(project.services).some((s) => s.depends_on?.[name]?.condition === 'service_completed_successfully');
      builder.add(
        { kind: 'wait', service: name, condition: completed ? 'service_completed_successfully' : 'running_or_healthy', required: true, for: project.name, containers: states.get(name)!.containers.map((c) => c.ref) },
        all,
      );
    }
  }
}

function networkRequest(projectName: string, key: string, net: NetworkConfig, version: string): NetworkCreateBody {
  const req: NetworkCreateBody = {
    Name: net.name,
    Labels: { ...(net.labels ?? {}), ...networkLabels(projectName, key, version), [labels.configHash]: networkConfigHash(net) },
  };
  if (net.driver) req.Driver = net.driver;
  if (net.driver_opts) req.Options = net.driver_opts;
  if (net.internal) req.Internal = true;
  if (net.attachable) req.Attachable = true;
  if (net.enable_ipv6 !== undefined) req.EnableIPv6 = net.enable_ipv6;
  if (net.enable_ipv4 !== undefined) req.EnableIPv4 = net.enable_ipv4;
  const ipam = net.ipam;
  if (ipam && (ipam.driver || (ipam.config && ipam.config.length > 0) || (ipam.options && Object.keys(ipam.options).length > 0))) {
    req.IPAM = {};
    if (ipam.driver) req.IPAM.Driver = ipam.driver;
    if (ipam.config) {
      req.IPAM.Config = ipam.config.map((p) => {
        const c: IpamConfigBody = {};
        if (p.subnet) c.Subnet = p.subnet;
        if (p.ip_range) c.IPRange = p.ip_range;
        if (p.gateway) c.Gateway = p.gateway;
        if (p.aux_addresses) c.AuxiliaryAddresses = p.aux_addresses;
        return c;
      });
    }
    if (ipam.options) req.IPAM.Options = ipam.options;
  }
  return req;
}

function volumeRequest(projectName: string, key: string, vol: VolumeConfig, version: string): VolumeCreateRequest {
  const req: VolumeCreateRequest = {
    Name: vol.name,
    Labels: { ...(vol.labels ?? {}), ...volumeLabels(projectName, key, version), [labels.configHash]: volumeConfigHash(vol) },
  };
  if (vol.driver) req.Driver = vol.driver;
  if (vol.driver_opts) req.DriverOpts = vol.driver_opts;
  return req;
}

/** `up`: the image actions, then (planned on the same observation) the rest. */
export function planUp(project: ComposeProject, observed: ObservedState, options: UpOptions = {}): Plan & { images: Action[]; converge: Action[] } {
  const builder = new PlanBuilder();
  planImages(project, observed, options, builder);
  const imageCount = builder.actions.length;
  planConverge(project, observed, options, builder);
  return { actions: builder.actions, warnings: builder.warnings, images: builder.actions.slice(0, imageCount), converge: builder.actions.slice(imageCount) };
}

// ---------------------------------------------------------------------------------------------
// down

export interface DownOptions {
  /** -v: named volumes declared by the project, and the containers' anonymous volumes. */
  volumes?: boolean;
  /** --rmi all|local */
  rmi?: 'all' | 'local';
  removeOrphans?: boolean;
  timeout?: number;
}

/** `down`: containers stopped dependents first and removed, then networks, volumes, images. */
export function planDown(project: ComposeProject, observed: ObservedState, options: DownOptions = {}): Plan {
  const builder = new PlanBuilder();
  const all = { ...project.services, ...project.disabledServices };
  const known = new Set(Object.keys(all));
  const byService = new Map<string, ObservedContainer[]>();
  const orphans: ObservedContainer[] = [];
  for (const c of observed.containers) {
    const svc = labelOf(c, labels.service) ?? '';
    if (known.has(svc) && !isOneOff(c)) (byService.get(svc) ?? byService.set(svc, []).get(svc)!).push(c);
    else if (known.has(svc) || options.removeOrphans) (byService.get(svc) ?? byService.set(svc, []).get(svc)!).push(c);
    else orphans.push(c);
  }
  if (orphans.length > 0) {
    builder.warnings.push(
      `Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
    );
  }
  // Dependents stop before their dependencies: the reverse of the start order.
  const order = dependencyOrder(all).reverse();
  const extra = [...byService.keys()].filter((s) => !known.has(s)).sort();
  const removed: number[] = [];
  const stopsOf = new Map<string, number[]>();
  for (const svc of [...extra, ...order]) {
    const after = Object.keys(all)
      .filter((other) => all[other].depends_on?.[svc])
      .flatMap((other) => stopsOf.get(other) ?? []);
    const stops: number[] = [];
    for (const c of (byService.get(svc) ?? []).sort((a, b) => containerNumber(a) - containerNumber(b))) {
      const ref = { id: c.id, name: c.name };
      const stop = isUp(c) ? builder.add({ kind: 'stop-container', service: svc, number: containerNumber(c), container: ref, timeout: options.timeout, reason: 'down' }, after) : undefined;
      if (stop !== undefined) stops.push(stop);
      removed.push(builder.add({ kind: 'remove-container', service: svc, number: containerNumber(c), container: ref, reason: 'down', removeVolumes: options.volumes ?? false }, [stop, ...after]));
    }
    stopsOf.set(svc, stops.length > 0 ? stops : after);
  }
  for (const key of sortedKeys(project.networks)) {
    const net = project.networks[key];
    if (net.external) continue;
    const live = observed.networks.find((n) => n.name === net.name);
    if (live) builder.add({ kind: 'remove-network', key, name: net.name, reason: 'down' }, removed);
  }
  if (options.volumes) {
    for (const key of sortedKeys(project.volumes)) {
      const vol = project.volumes[key];
      if (vol.external) continue;
      if (observed.volumes.some((v) => v.name === vol.name)) builder.add({ kind: 'remove-volume', key, name: vol.name }, removed);
    }
  }
  if (options.rmi) {
    const images = new Set<string>();
    for (const name of sortedKeys(all)) {
      const s = all[name];
      if (options.rmi === 'local' && s.image !== undefined) continue;
      const image = serviceImage(s, project.name);
      if (observed.images[image]) images.add(image);
    }
    for (const image of [...images].sort()) builder.add({ kind: 'remove-image', image }, removed);
  }
  return { actions: builder.actions, warnings: builder.warnings };
}
