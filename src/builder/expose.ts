// EXPOSE values as dockerd parses them (nat.ParsePortSpecs): `[ip:[hostPort]:]port[-end][/proto]`.
// Only the container side matters to an image: each port of a range becomes one "port/proto" key.
// (The CLI's -p parser, src/cli/run-options.ts, answers with exit codes and cannot be shared.)
import { isIP } from 'node:net';
import { InvalidArgument } from '../errors/index.ts';

function portRange(s: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

/** The "port/proto" keys of ExposedPorts that the specs name, in order. */
export function exposedPortKeys(specs: readonly string[]): string[] {
  const keys: string[] = [];
  for (const raw of specs) {
    const parts = raw.split(':');
    const containerSide = parts[parts.length - 1];
    const hostPort = parts.length >= 2 ? parts[parts.length - 2] : '';
    let ip = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
    const slash = containerSide.indexOf('/');
    const port = slash < 0 ? containerSide : containerSide.slice(0, slash);
    let proto = slash < 0 ? '' : containerSide.slice(slash + 1);
    if (port === '') throw new InvalidArgument(`no port specified: ${raw}<empty>`);
    if (proto === '') proto = 'tcp';
    proto = proto.toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new InvalidArgument(`invalid proto: ${proto}`);
    if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (ip !== '' && isIP(ip) === 0) throw new InvalidArgument(`invalid IP address: ParseAddr(${JSON.stringify(ip)}): unable to parse IP`);
    const range = portRange(port);
    if (!range) throw new InvalidArgument(`invalid containerPort: ${port}`);
    if (hostPort !== '') {
      const host = portRange(hostPort);
      if (!host) throw new InvalidArgument(`invalid hostPort: ${hostPort}`);
      if (host[1] - host[0] !== range[1] - range[0] && range[0] !== range[1]) {
        throw new InvalidArgument(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
      }
    }
    for (let p = range[0]; p <= range[1]; p++) keys.push(`${p}/${proto}`);
  }
  return keys;
}
