// Published ports, pure: expanding a container's PortBindings and -P into concrete mappings, the
// ephemeral range dockerd draws host ports from, and the views inspect and ps show.
import { InvalidArgument } from '../errors/index.ts';
import type { PortBinding, PortMap } from '../types/index.ts';

export interface PortRequest {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostIp: string;
  /** First and last acceptable host port; [0, 0] asks for an ephemeral one. */
  hostPorts: [number, number];
}

export interface PortMapping {
  proto: 'tcp' | 'udp' | 'sctp';
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

export const ephemeralRange: [number, number] = [49153, 60999];

function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' | 'sctp' } {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new InvalidArgument(`invalid port specification: "${key}"`);
  return { port: Number(m[1]), proto: (m[2] ?? 'tcp') as 'tcp' };
}

function parseHostPorts(v: string): [number, number] {
  if (!v) return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) throw new InvalidArgument(`invalid port specification: "${v}"`);
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (a > 65535 || b > 65535 || b < a) throw new InvalidArgument(`invalid port specification: "${v}"`);
  return [a, b];
}

/** What to publish: explicit bindings, and with -P every exposed port without one. */
export function portRequests(bindings: PortMap | undefined, exposed: Record<string, unknown> | undefined, publishAll: boolean): PortRequest[] {
  const out: PortRequest[] = [];
  const seen = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, proto } = parsePortKey(key);
    seen.add(`${port}/${proto}`);
    for (const b of list ?? [{ HostIp: '', HostPort: '' }]) {
      out.push({ proto, containerPort: port, hostIp: b.HostIp || '0.0.0.0', hostPorts: parseHostPorts(b.HostPort ?? '') });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { port, proto } = parsePortKey(key);
      if (seen.has(`${port}/${proto}`)) continue;
      out.push({ proto, containerPort: port, hostIp: '0.0.0.0', hostPorts: [0, 0] });
    }
  }
  return out;
}

/** NetworkSettings.Ports: every exposed port, with its bindings or null. */
export function portsView(exposed: Record<string, unknown> | undefined, mappings: readonly PortMapping[]): PortMap {
  const out: PortMap = {};
  for (const key of Object.keys(exposed ?? {})) {
    const { port, proto } = parsePortKey(key);
    out[`${port}/${proto}`] = null;
  }
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.proto}`;
    const list: PortBinding[] = out[key] ?? [];
    list.push({ HostIp: m.hostIp, HostPort: String(m.hostPort) });
    out[key] = list;
  }
  return out;
}

/** The Ports of a `ps` line. */
export function portsSummary(view: PortMap): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
  for (const [key, list] of Object.entries(view)) {
    const { port, proto } = parsePortKey(key);
    if (!list || list.length === 0) out.push({ PrivatePort: port, Type: proto });
    else for (const b of list) out.push({ IP: b.HostIp, PrivatePort: port, PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}
