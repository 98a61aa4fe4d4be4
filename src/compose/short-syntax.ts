// Compose's short syntaxes turned into long form, as compose-go does before validation of the
// merged model: ports ("[ip:][host:]container[/proto]", ranges, IPv6 in brackets: docker's
// nat.ParsePortSpec, shared with `run -p` in src/lib) and service volumes ("[source:]target[:options]").
import { InvalidArgument } from '../errors/index.ts';
import { parsePortSpec, type PortSpecMapping } from '../lib/index.ts';
import type { Mapping } from './tree.ts';

// ---------------------------------------------------------------------------------------------
// Ports

/** One short-syntax port entry as the long-form mappings it stands for (a range gives several). */
export function parsePortShort(spec: string): Mapping[] {
  const ports = parsePortSpec(spec);
  // nat.ParsePortSpecs keys its result by "port/proto" and compose sorts those keys as strings.
  const key = (p: PortSpecMapping) => `${p.containerPort}/${p.proto}`;
  return [...ports]
    .sort((a, b) => (key(a) < key(b) ? -1 : 1))
    .map((p) => {
      const m: Mapping = { mode: 'ingress' };
      if (p.hostIp !== '') m.host_ip = p.hostIp;
      m.target = p.containerPort;
      if (p.hostPort !== '') m.published = p.hostPort;
      m.protocol = p.proto;
      return m;
    });
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
