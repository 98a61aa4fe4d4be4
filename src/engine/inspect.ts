// GET /containers/{id}/json and the lines of GET /containers/json, in dockerd's shapes.
import { humanDuration } from '../lib/index.ts';
import type { ContainerStateView, ContainerSummary, PortMap } from '../types/index.ts';
import { zeroTime, type Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { healthString } from './health.ts';
import { mountsView } from './mounts.ts';

/** docker's State.String(), the STATUS column of `ps`. */
export function statusString(c: Container, now = Date.now()): string {
  const s = c.state;
  const since = (iso: string) => humanDuration(Math.max(0, now - Date.parse(iso)));
  if (s.Running) {
    if (s.Paused) return `Up ${since(s.StartedAt)} (Paused)`;
    if (s.Restarting) return `Restarting (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
    if (s.Health) return `Up ${since(s.StartedAt)} (${healthString(s.Health)})`;
    return `Up ${since(s.StartedAt)}`;
  }
  if (s.RemovalInProgress) return 'Removal In Progress';
  if (s.Dead) return 'Dead';
  if (s.StartedAt === zeroTime) return 'Created';
  if (s.FinishedAt === zeroTime) return '';
  return `Exited (${s.ExitCode}) ${since(s.FinishedAt)} ago`;
}

function networkSettings(c: Container) {
  const ns = c.record.NetworkSettings;
  const primary = Object.values(ns.Networks)[0];
  return {
    Bridge: '',
    SandboxID: ns.SandboxID ?? '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: ns.Ports ?? {},
    SandboxKey: ns.SandboxKey,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: primary?.EndpointID ?? '',
    Gateway: primary?.Gateway ?? '',
    GlobalIPv6Address: primary?.GlobalIPv6Address ?? '',
    GlobalIPv6PrefixLen: primary?.GlobalIPv6PrefixLen ?? 0,
    IPAddress: primary?.IPAddress ?? '',
    IPPrefixLen: primary?.IPPrefixLen ?? 0,
    IPv6Gateway: primary?.IPv6Gateway ?? '',
    MacAddress: primary?.MacAddress ?? '',
    Networks: ns.Networks,
  };
}

export async function inspectContainer(ctx: Pick<EngineContext, 'layers' | 'images'>, c: Container, options: { size?: boolean } = {}): Promise<Record<string, unknown>> {
  const r = c.record;
  const view: Record<string, unknown> = {
    Id: r.ID,
    Created: r.Created,
    Path: r.Path,
    Args: r.Args,
    State: {
      Status: c.status,
      Running: r.State.Running,
      Paused: r.State.Paused,
      Restarting: r.State.Restarting,
      OOMKilled: r.State.OOMKilled,
      Dead: r.State.Dead,
      Pid: r.State.Pid,
      ExitCode: r.State.ExitCode,
      Error: r.State.Error,
      StartedAt: r.State.StartedAt,
      FinishedAt: r.State.FinishedAt,
      ...(r.State.Health ? { Health: r.State.Health } : {}),
    } satisfies ContainerStateView,
    Image: r.Image,
    ResolvConfPath: r.ResolvConfPath,
    HostnamePath: r.HostnamePath,
    HostsPath: r.HostsPath,
    LogPath: r.LogPath,
    Name: r.Name,
    RestartCount: r.RestartCount,
    Driver: r.Driver,
    Platform: r.Platform,
    MountLabel: r.MountLabel,
    ProcessLabel: r.ProcessLabel,
    AppArmorProfile: r.AppArmorProfile,
    ExecIDs: c.execs.size ? [...c.execs] : null,
    HostConfig: c.hostConfig,
    GraphDriver: { Data: await ctx.layers.describeRw(c.id).catch(() => ({})), Name: 'overlay2' },
  };
  if (options.size) {
    const rw = await ctx.layers.rwSize(c.id).catch(() => 0);
    view.SizeRw = rw;
    view.SizeRootFs = rw + (ctx.images.get(r.Image)?.size ?? 0);
  }
  view.Mounts = mountsView(c);
  view.Config = r.Config;
  view.NetworkSettings = networkSettings(c);
  return view;
}

export async function summarize(ctx: Pick<EngineContext, 'layers' | 'images'>, c: Container, options: { size?: boolean; now?: number } = {}): Promise<ContainerSummary> {
  const r = c.record;
  // dockerd shows the name the container was created with while it still names the same image.
  let image = r.Config.Image;
  try {
    if (ctx.images.resolve(image).id !== r.Image) image = r.Image;
  } catch {
    image = r.Image;
  }
  const summary: ContainerSummary = {
    Id: r.ID,
    Names: [r.Name],
    Image: image,
    ImageID: r.Image,
    // dockerd quotes arguments that contain spaces: sh -c 'echo hi'
    Command: [r.Path, ...r.Args.map((a) => (a.includes(' ') ? `'${a}'` : a))].join(' '),
    Created: Math.floor(Date.parse(r.Created) / 1000),
    Ports: portsSummary(r.NetworkSettings.Ports ?? {}),
    Labels: r.Config.Labels ?? {},
    State: c.status,
    Status: statusString(c, options.now),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode },
    NetworkSettings: { Networks: r.NetworkSettings.Networks },
    Mounts: mountsView(c),
  };
  if (options.size) {
    summary.SizeRw = await ctx.layers.rwSize(c.id).catch(() => 0);
    summary.SizeRootFs = summary.SizeRw + (ctx.images.get(r.Image)?.size ?? 0);
  }
  return summary;
}

/** The Ports of a `ps` line, from NetworkSettings.Ports. */
function portsSummary(view: PortMap): ContainerSummary['Ports'] {
  const out: ContainerSummary['Ports'] = [];
  for (const [key, list] of Object.entries(view)) {
    const [port, proto] = key.split('/');
    if (!list || list.length === 0) out.push({ PrivatePort: Number(port), Type: proto ?? 'tcp' });
    else for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: proto ?? 'tcp' });
  }
  return out;
}
