// A container's networking as the engine sees it: create's checks and normalisation (network
// mode, --link, --add-host), the sandbox at start with the files that depend on it (hosts,
// resolv.conf, hostname), its release at exit, and network connect/disconnect. The network
// subsystem does the work behind the narrow ContainerNetworking port (context.ts).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { Conflict, Forbidden, InvalidArgument, NotFound } from '../errors/index.ts';
import type { IdMapping } from '../runtime/index.ts';
import type { EndpointSettings, HostConfig } from '../types/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { embeddedResolvConf, type HostsEntry } from './files.ts';

export function normaliseMode(mode: string | undefined): string {
  return !mode || mode === 'default' ? 'bridge' : mode;
}

/**
 * Create's part: checks the mode and endpoints, normalises --link to dockerd's "/target:/self/alias"
 * and checks --add-host; returns NetworkSettings.Networks.
 */
export function planNetworking(
  ctx: Pick<EngineContext, 'store' | 'network'>,
  input: { name: string; hostConfig: HostConfig; endpoints: Record<string, Partial<EndpointSettings>>; macAddress?: string | undefined; hostname: string },
): Record<string, EndpointSettings> {
  const h = input.hostConfig;
  const mode = normaliseMode(h.NetworkMode);
  if (mode.startsWith('container:')) {
    const target = mode.slice('container:'.length);
    if (!target) throw new InvalidArgument('Invalid network mode: invalid container format container:<name|id>');
    ctx.store.get(target);
    if (input.hostname) throw new InvalidArgument('conflicting options: hostname and the network mode');
    if (h.Links?.length) throw new InvalidArgument('conflicting options: container type network can\'t be used with links. This would result in undefined behavior');
    if (h.Dns?.length || h.ExtraHosts?.length) throw new InvalidArgument('conflicting options: dns and the network mode');
    if (Object.keys(h.PortBindings ?? {}).length || h.PublishAllPorts) throw new InvalidArgument('conflicting options: port publishing and the container type network mode');
    if (input.macAddress) throw new InvalidArgument('conflicting options: mac-address and the network mode');
  }
  if (mode === 'host' && h.Links?.length) throw new InvalidArgument('conflicting options: host type networking can\'t be used with links. This would result in undefined behavior');
  const links: string[] = [];
  for (const l of h.Links ?? []) {
    const m = /^\/?([^:]+)(?::(.+))?$/.exec(l);
    if (!m) throw new InvalidArgument(`invalid link format: ${l}`);
    const targetName = m[1].replace(/^\//, '');
    let alias = m[2] ?? targetName;
    if (alias.includes('/')) alias = alias.slice(alias.lastIndexOf('/') + 1);
    const target = ctx.store.find(targetName);
    if (!target) throw new NotFound(`could not get container for ${targetName}`);
    links.push(`/${target.name}:/${input.name}/${alias}`);
  }
  h.Links = links.length ? links : null;
  for (const e of h.ExtraHosts ?? []) {
    const i = e.indexOf(':');
    const ip = i < 0 ? '' : e.slice(i + 1);
    if (i <= 0 || !(ip === 'host-gateway' || /^[0-9.]+$|:/.test(ip))) throw new InvalidArgument(`invalid IP address in add-host: "${ip}"`);
  }
  return ctx.network.plan({ mode, endpoints: input.endpoints, links, ...(input.macAddress ? { macAddress: input.macAddress } : {}) });
}

export interface NetworkFiles {
  namespace: { mode: 'host' } | { mode: 'private' } | { mode: 'path'; path: string };
  hostname: string;
  hosts: HostsEntry[];
  /** Replaces the whole hosts file (host mode: the host's; container mode: the other's). */
  hostsText?: string;
  resolvText?: string;
  /** The embedded resolver resolv.conf names instead of the configured servers (user-defined networks). */
  nameserver?: string;
  /** Settles when the sandbox is complete; the container's process must not start before. */
  ready?: Promise<void>;
  /**
   * userns-remap: the user namespace that owns the container's network namespace, for the
   * container to run in (its own sandbox's, or that of the container whose network it shares).
   */
  userns?: string;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The host's resolvers, loopback ones included: the embedded DNS runs in the host's namespace. */
function hostNameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
    .filter((x): x is string => !!x);
}

/** Start's part: the sandbox, the endpoints, the ports; records them on the container. */
export async function setUpNetworking(
  ctx: Pick<EngineContext, 'store' | 'network' | 'config'>,
  c: Container,
  options: { userNamespace?: { uidMappings: IdMapping[]; gidMappings: IdMapping[] } } = {},
): Promise<NetworkFiles> {
  const h = c.hostConfig;
  const rec = c.record;
  const mode = normaliseMode(h.NetworkMode);
  const hostResolv = readText(ctx.config.hostResolvConf);
  const upstreams = h.Dns?.length ? h.Dns : ctx.config.dns.length ? ctx.config.dns : hostNameservers(hostResolv);
  let sharedNetns: string | undefined;
  let shared: Container | undefined;
  if (mode.startsWith('container:')) {
    shared = ctx.store.get(mode.slice('container:'.length));
    if (!shared.state.Running) throw new Conflict(`cannot join network of a non running container: ${shared.id}`);
    if (shared.id === c.id) throw new InvalidArgument('cannot join own network');
    sharedNetns = ctx.network.sandboxPath(shared.id) ?? `/proc/${shared.state.Pid}/ns/net`;
  }
  const result = await ctx.network.setUp({
    containerId: c.id,
    containerName: c.name,
    mode,
    networks: rec.NetworkSettings.Networks,
    ...(rec.Config.MacAddress ? { macAddress: rec.Config.MacAddress } : {}),
    portBindings: h.PortBindings ?? {},
    exposedPorts: rec.Config.ExposedPorts ?? {},
    publishAll: !!h.PublishAllPorts,
    ...(sharedNetns ? { sharedNetns } : {}),
    upstreams,
    ...(options.userNamespace ? { userNamespace: options.userNamespace } : {}),
  });
  try {
    rec.NetworkSettings = {
      ...rec.NetworkSettings,
      SandboxKey: result.sandboxKey,
      SandboxID: result.sandboxId,
      Networks: mode.startsWith('container:') ? rec.NetworkSettings.Networks : result.networks,
      Ports: result.ports,
    };
    const files: NetworkFiles = { namespace: result.namespace, hostname: rec.Config.Hostname, hosts: [], ...(result.userns ? { userns: result.userns } : {}) };
    const extra = (h.ExtraHosts ?? []).map((e) => {
      const i = e.indexOf(':');
      let ip = e.slice(i + 1);
      if (ip === 'host-gateway') ip = ctx.network.defaultGateway();
      return { ip, names: [e.slice(0, i)] };
    });
    if (mode === 'host') {
      files.hostname = rec.Config.Hostname || osHostname();
      files.hostsText = readText('/etc/hosts') + extra.map((e) => `${e.ip}\t${e.names.join(' ')}\n`).join('');
      files.resolvText = hostResolv;
      return files;
    }
    if (shared) {
      // its network namespace belongs to its user namespace, if it runs in one
      if (options.userNamespace && ctx.network.sandboxUserns(shared.id)) files.userns = `/proc/${shared.state.Pid}/ns/user`;
      files.hostname = shared.record.Config.Hostname;
      files.hostsText = readText(shared.record.HostsPath);
      files.resolvText = readText(shared.record.ResolvConfPath);
      return files;
    }
    files.hosts.push(...extra);
    for (const l of h.Links ?? []) {
      const [targetPath, aliasPath] = l.split(':');
      const target = ctx.store.find(targetPath.replace(/^\//, ''));
      const alias = aliasPath.slice(aliasPath.lastIndexOf('/') + 1);
      if (!target || !target.state.Running) throw new InvalidArgument(`Cannot link to a non running container: ${targetPath} AS ${aliasPath}`);
      const ep = Object.values(result.networks)
        .map((own) => Object.values(target.record.NetworkSettings.Networks).find((t) => t.NetworkID === own.NetworkID && t.IPAddress))
        .find((x) => x);
      if (!ep) throw new InvalidArgument(`Cannot link to ${targetPath}, as it does not belong to the default network`);
      files.hosts.push({ ip: ep.IPAddress, names: [...new Set([alias, target.id.slice(0, 12), target.name])] });
    }
    const host = rec.Config.Domainname ? [`${rec.Config.Hostname}.${rec.Config.Domainname}`, rec.Config.Hostname] : [rec.Config.Hostname];
    for (const ep of Object.values(result.networks)) if (ep.IPAddress) files.hosts.push({ ip: ep.IPAddress, names: host });
    if (result.nameserver) files.nameserver = result.nameserver;
    if (result.ready) files.ready = result.ready;
    return files;
  } catch (err) {
    await tearDownNetworking(ctx, c).catch(() => {});
    throw err;
  }
}

/** At exit (or a failed start): releases the sandbox; the record keeps which networks it is on. */
export async function tearDownNetworking(ctx: Pick<EngineContext, 'network'>, c: Container): Promise<void> {
  await ctx.network.tearDown(c.id);
  const ns = c.record.NetworkSettings;
  const networks: Record<string, EndpointSettings> = {};
  for (const [name, ep] of Object.entries(ns.Networks)) {
    networks[name] = { ...ep, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', Aliases: ep.Aliases?.filter((a) => a !== c.id.slice(0, 12)) ?? null };
    if (networks[name].Aliases?.length === 0) networks[name].Aliases = null;
  }
  c.record.NetworkSettings = { ...ns, SandboxKey: '', SandboxID: '', Networks: networks, Ports: {} };
}

/** POST /networks/{id}/connect. */
export async function connectContainer(
  ctx: Pick<EngineContext, 'network' | 'store' | 'events'>,
  c: Container,
  networkRef: string,
  config: Partial<EndpointSettings>,
): Promise<void> {
  const network = ctx.network;
  const n = network.get(networkRef);
  const mode = normaliseMode(c.hostConfig.NetworkMode);
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    throw new Forbidden('container sharing network namespace with another container or host cannot be connected to any other network');
  }
  if (n.Driver !== 'bridge') throw new Forbidden(`container cannot be disconnected from host network or connected to host network`);
  if (Object.values(c.record.NetworkSettings.Networks).some((e) => e.NetworkID === n.Id)) {
    throw new Forbidden(`endpoint with name ${c.name} already exists in network ${n.Name}`);
  }
  const planned = network.plan({ mode: n.Name, endpoints: { [n.Name]: config }, links: [] })[n.Name];
  const endpoint = c.state.Running ? await network.connect(c.id, n.Name, planned) : planned;
  c.record.NetworkSettings.Networks[n.Name] = endpoint;
  await ctx.store.saveState(c);
  // Joining a user-defined network switches a running container to the embedded resolver.
  const nameserver = c.state.Running ? network.nameserver(c.id) : undefined;
  if (nameserver) await pointResolvConf(c.record.ResolvConfPath, nameserver);
}

/**
 * Rewrites resolv.conf for the embedded resolver, in place: the container sees the file through
 * a bind mount of this inode, which a rename would leave behind.
 */
async function pointResolvConf(path: string, nameserver: string): Promise<void> {
  const text = readText(path);
  const next = embeddedResolvConf(text, nameserver);
  if (next !== text) await writeFile(path, next);
}

/** POST /networks/{id}/disconnect. */
export async function disconnectContainer(ctx: Pick<EngineContext, 'network' | 'store' | 'events'>, c: Container, networkRef: string): Promise<void> {
  const network = ctx.network;
  const n = network.get(networkRef);
  const name = Object.entries(c.record.NetworkSettings.Networks).find(([k, e]) => e.NetworkID === n.Id || k === n.Name)?.[0];
  if (!name) throw new Forbidden(`container ${c.id} is not connected to network ${n.Name}`);
  if (n.Driver === 'host') throw new Forbidden('container cannot be disconnected from host network or connected to host network');
  if (c.state.Running) await network.disconnect(c.id, n.Id);
  delete c.record.NetworkSettings.Networks[name];
  await ctx.store.saveState(c);
}
