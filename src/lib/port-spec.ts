// docker's nat.ParsePortSpec: `[ip:][hostPort:]containerPort[/proto]` with port ranges and IPv6 in
// brackets. The grammar of both `docker run -p` and compose's short port syntax (compose-go calls
// the same function), so both parse it here and only shape the result their own way.
import { isIP } from 'node:net';
import { InvalidArgument } from '../errors/index.ts';

/** One container port a spec publishes (a range gives one per port). */
export interface PortSpecMapping {
  /** '' for every address; IPv6 without its brackets. */
  hostIp: string;
  containerPort: number;
  /** '' when the daemon picks; "a-b" when one container port takes a host range to pick from. */
  hostPort: string;
  /** tcp, udp or sctp, lower case. */
  proto: string;
}

function parseRange(s: string): [number, number] | undefined {
  if (s === '') return undefined;
  const parts = s.split('-');
  if (parts.length > 2) return undefined;
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (nums.some((n) => !Number.isInteger(n) || n > 65535)) return undefined;
  const [start, end = start] = nums;
  if (end < start) return undefined;
  return [start, end];
}

/** The ports a spec stands for, in container port order, with nat's error messages. */
export function parsePortSpec(spec: string): PortSpecMapping[] {
  const parts = spec.split(':');
  const n = parts.length;
  let ip = '';
  let hostPort = '';
  let raw = parts[n - 1];
  if (n === 2) hostPort = parts[0];
  else if (n === 3) [ip, hostPort] = parts;
  else if (n > 3) {
    ip = parts.slice(0, n - 2).join(':');
    hostPort = parts[n - 2];
  }
  let proto = 'tcp';
  const slash = raw.split('/');
  if (raw === '' || slash[0] === '') raw = '';
  else if (slash.length > 1) {
    raw = slash[0];
    if (slash[1] !== '') proto = slash[1];
  }
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw new InvalidArgument(`invalid IP address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && isIP(ip) === 0) throw new InvalidArgument(`invalid IP address: ${ip}`);
  if (raw === '') throw new InvalidArgument(`no port specified: ${spec}<empty>`);
  const container = parseRange(raw);
  if (!container) throw new InvalidArgument(`invalid containerPort: ${raw}`);
  let host: [number, number] | undefined;
  if (hostPort !== '') {
    host = parseRange(hostPort);
    if (!host) throw new InvalidArgument(`invalid hostPort: ${hostPort}`);
    if (container[1] - container[0] !== host[1] - host[0] && container[1] !== container[0]) {
      throw new InvalidArgument(`invalid ranges specified for container and host Ports: ${raw} and ${hostPort}`);
    }
  }
  proto = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new InvalidArgument(`invalid proto: ${proto}`);
  const out: PortSpecMapping[] = [];
  for (let p = container[0], i = 0; p <= container[1]; p++, i++) {
    let published = '';
    if (host) {
      published = String(host[0] + i);
      // One container port and a host range: the range is where the host port is picked from.
      if (container[0] === container[1] && host[0] !== host[1]) published = `${published}-${host[1]}`;
    }
    out.push({ hostIp: ip, containerPort: p, hostPort: published, proto });
  }
  return out;
}
