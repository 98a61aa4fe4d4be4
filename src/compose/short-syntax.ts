// Compose's short syntaxes turned into long form, as compose-go does before validation of the
// merged model: ports ("[ip:][host:]container[/proto]", ranges, IPv6 in brackets, the parsing of
// docker's nat.ParsePortSpec) and service volumes ("[source:]target[:options]").
import { isIP } from 'node:net';
import { InvalidArgument } from '../errors/index.ts';
import type { Mapping } from './tree.ts';

// ---------------------------------------------------------------------------------------------
// Ports

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

/** One short-syntax port entry as the long-form mappings it stands for (a range gives several). */
export function parsePortShort(spec: string): Mapping[] {
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
  const out: Mapping[] = [];
  // nat.ParsePortSpecs keys its result by "port/proto" and compose sorts those keys as strings.
  const targets: number[] = [];
  for (let p = container[0]; p <= container[1]; p++) targets.push(p);
  const order = targets.map((t, i) => ({ t, i })).sort((a, b) => (`${a.t}/${proto}` < `${b.t}/${proto}` ? -1 : 1));
  for (const { t, i } of order) {
    let published = '';
    if (host) {
      published = String(host[0] + i);
      // One container port and a host range: the range is where the host port is picked from.
      if (container[0] === container[1] && host[0] !== host[1]) published = `${published}-${host[1]}`;
    }
    const m: Mapping = { mode: 'ingress' };
    if (ip !== '') m.host_ip = ip;
    m.target = t;
    if (published !== '') m.published = published;
    m.protocol = proto;
    out.push(m);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Volumes

const propagations = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

function isWindowsDrive(buffer: string, c: string): boolean {
  return c === ':' && buffer.length === 1 && /\p{L}/u.test(buffer);
}

/** Paths compose treats as host paths in the short syntax: ./x, /x, ~/x (and Windows forms). */
export function isHostPath(source: string): boolean {
  if (source === '') return false;
  if (source[0] === '.' || source[0] === '/' || source[0] === '~') return true;
  if (source.startsWith('\\\\')) return true;
  const chars = [...source];
  return chars.length > 1 && isWindowsDrive(chars[0], chars[1]);
}

interface VolumeParts {
  source: string;
  target: string;
  readOnly: boolean;
  nocopy: boolean;
  selinux?: string;
  propagation?: string;
}

/** compose-go's format.ParseVolume: `data:/data:ro`, `./src:/app:z`, `/anon`. */
export function parseVolumeShort(spec: string): Mapping {
  if (spec === '') throw new InvalidArgument('invalid empty volume spec');
  const v: VolumeParts = { source: '', target: '', readOnly: false, nocopy: false };
  // compose takes a one- or two-character spec as an anonymous volume's target, options-free.
  if (spec.length <= 2) return { type: 'volume', target: spec };
  let buffer = '';
  let inVar = 0;
  const chars = [...spec];
  const fail = (why: string) => new InvalidArgument(`invalid spec: ${spec}: ${why}`);
  for (let i = 0; i <= chars.length; i++) {
    const c = i < chars.length ? chars[i] : '\0';
    if (c === '$' && chars[i + 1] === '{') {
      inVar++;
      buffer += c;
      continue;
    }
    if (c === '}' && inVar > 0) {
      inVar--;
      buffer += c;
      continue;
    }
    const end = i === chars.length;
    if (isWindowsDrive(buffer, c)) buffer += c;
    else if ((c === ':' || end) && inVar === 0) {
      if (buffer === '') throw fail('empty section between colons');
      if (v.source === '' && end) v.target = buffer;
      else if (v.source === '') v.source = buffer;
      else if (v.target === '') v.target = buffer;
      else if (c === ':') throw fail('too many colons');
      else {
        for (const option of buffer.split(',')) {
          if (option === 'ro') v.readOnly = true;
          else if (option === 'rw') v.readOnly = false;
          else if (option === 'nocopy') v.nocopy = true;
          else if (option === 'z' || option === 'Z') v.selinux = option;
          else if (propagations.includes(option)) v.propagation = option;
          // compose ignores other options
        }
      }
      buffer = '';
    } else buffer += c;
  }
  return volumeMapping(v, isHostPath(v.source) ? 'bind' : 'volume');
}

function volumeMapping(v: VolumeParts, type: 'bind' | 'volume'): Mapping {
  const m: Mapping = { type };
  if (v.source !== '') m.source = v.source;
  m.target = v.target === '' ? '' : cleanPath(v.target);
  if (v.readOnly) m.read_only = true;
  if (type === 'bind') {
    const bind: Mapping = {};
    if (v.selinux) bind.selinux = v.selinux;
    if (v.propagation) bind.propagation = v.propagation;
    // The short syntax creates a missing host path, as docker-compose v1 did.
    bind.create_host_path = true;
    m.bind = bind;
  } else {
    m.volume = v.nocopy ? { nocopy: true } : {};
  }
  return m;
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}
