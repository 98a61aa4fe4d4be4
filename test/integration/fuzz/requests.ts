// A seeded generator of Engine API requests, valid and malformed: for every route a well-formed
// request as a client would send it, then mutations of its path, query and body — wrong types,
// nulls, out-of-range numbers, NUL bytes, very long strings, deep nesting, unknown keys, bodies
// that are not JSON. The same seed gives the same sequence.
//
// Requests stay on this machine and inside the test's own roots: anything that names a registry
// names 127.0.0.1:1 (refused at once), network subnets come from the test's own range, bind
// sources lie under the test's base directory, and nothing names a cgroup parent, a host
// interface or a volume device of the host.

/** mulberry32: small, fast, good enough to pick requests. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

export type Body = { json: unknown } | { raw: Buffer | string; contentType?: string } | undefined;

export interface FuzzRequest {
  /** The route template, for the summary ("POST /containers/{id}/start"). */
  route: string;
  method: string;
  /** The path with its query string, already encoded. */
  path: string;
  body: Body;
  headers: Record<string, string>;
  /** The route streams until the client leaves (wait, attach, logs -f…): a head in time is an answer. */
  streaming: boolean;
  /**
   * How long the client keeps a streaming answer open before it goes away, while the requests
   * after it are sent: exports, copies and attachments overlap removals and restarts this way.
   */
  holdMs: number;
  /** What a 2xx may create; a non-2xx must leave these listings as they were. */
  creates: Array<'containers' | 'images' | 'networks' | 'volumes'>;
}

/** Objects the fuzzer knows about, to aim requests at things that exist. */
export interface Pools {
  containers: string[];
  execs: string[];
  images: string[];
  networks: string[];
  volumes: string[];
  /** A directory under the test's base for bind sources. */
  bindDir: string;
  /** A /24 of the test's own for network subnets: "10.214.<x>" and a counter for the next /28. */
  subnetPrefix: string;
}

const hostileStrings = [
  '',
  ' ',
  'x'.repeat(300),
  'x'.repeat(5000),
  '\u0000',
  'a\u0000b',
  '../../../../etc/passwd',
  '/',
  '.',
  '..',
  '%00',
  '\u00fc\u00df\ud83d\udc33',
  '\ud800',
  '$(id)',
  'a:b:c:d',
  'UPPER/Case',
  '@@@',
  'sha256:',
  'sha256:' + '0'.repeat(64),
  '-1',
  '1e400',
  'NaN',
  'true',
  '{}',
  '[]',
  'null',
];

const hostileNumbers = [0, -1, 1, 1.5, -0.5, 65536, 2 ** 31, 2 ** 53, -(2 ** 53), 1e300, -1e300, 1e20, -1e20];

const hostileQuery = ['', '-1', '0', '1', 'true', 'false', '1.5', '1e3', '0x10', 'NaN', 'Infinity', '-99999999999999999999', '99999999999999999999', ' 1', 'x', 'x'.repeat(300), '\u0000', '{', '{"a":', '{"a":[1]}', '[]', 'null', '%', '\u00fc'];

/** encodeURIComponent, but a lone surrogate goes as the bytes of its replacement character. */
function pct(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function hostileValue(r: Rng): unknown {
  switch (r.int(10)) {
    case 0:
      return null;
    case 1:
      return r.pick([true, false]);
    case 2:
    case 3:
      return r.pick(hostileNumbers);
    case 4:
    case 5:
      return r.pick(hostileStrings);
    case 6:
      return r.pick([[], [null], [5], ['a', 1], [[]], [{}]]);
    case 7:
      return r.pick([{}, { a: 1 }, { '': null }, JSON.parse('{"__proto__":{"polluted":true}}') as unknown, { constructor: 'x' }]);
    case 8:
      return JSON.parse(deepArray(1 + r.int(60))) as unknown;
    default:
      return r.pick([{ a: { b: { c: [null] } } }, 'x'.repeat(r.int(2000)), -r.int(100000)]);
  }
}

const hostileKeys = ['Fuzz', '', '__proto__', 'constructor', 'x'.repeat(300), 'a\u0000b', '../x', 'toString', 'hasOwnProperty'];

type Path = Array<string | number>;

/** Every place in a JSON value a mutation can hit: objects, arrays and leaves. */
function places(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => places(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) places(v, [...path, k], out);
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

function deleteAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, unknown>)[key as string];
  return root;
}

/** One to three mutations of a JSON value. */
export function mutateJson(r: Rng, input: unknown): unknown {
  let value = JSON.parse(JSON.stringify(input ?? {})) as unknown;
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const all = places(value);
    const at = r.pick(all);
    const target = getAt(value, at);
    const op = r.int(10);
    if (op < 5) value = setAt(value, at, hostileValue(r));
    else if (op < 7 && at.length > 0) value = deleteAt(value, at);
    else if (op < 8 && target && typeof target === 'object' && !Array.isArray(target)) {
      Object.defineProperty(target, r.pick(hostileKeys), { value: hostileValue(r), enumerable: true, writable: true, configurable: true });
    } else if (op < 9) value = setAt(value, at, [target]);
    else value = setAt(value, at, typeof target === 'string' ? target + r.pick(hostileStrings) : r.pick(hostileStrings));
  }
  return value;
}

/** Bodies that are not a JSON value of the right kind at all. */
function rawHostileBody(r: Rng): Body {
  switch (r.int(9)) {
    case 0:
      return { raw: deepArray(20000) };
    case 1:
      return { raw: '{"a":' + deepArray(5000) + '}' };
    case 2:
      return { raw: '{' };
    case 3:
      return { raw: 'null' };
    case 4:
      return { raw: '5' };
    case 5:
      return { raw: '"x"' };
    case 6:
      return { raw: Buffer.from([0xff, 0xfe, 0x00, 0x7b]) };
    case 7:
      return { raw: '[' + '1,'.repeat(10000) + '1]' };
    default:
      return { raw: '{"Image":"busybox"}', contentType: r.pick(['text/plain', 'application/x-tar', '']) };
  }
}

function mutateQuery(r: Rng, q: Record<string, string>): Array<[string, string]> {
  const entries: Array<[string, string]> = Object.entries(q);
  const n = r.int(3);
  for (let i = 0; i < n; i++) {
    const op = r.int(4);
    if (op === 0 || entries.length === 0) entries.push([r.pick(['filters', 'all', 'force', 't', 'signal', 'name', 'Fuzz', 'v', 'tag', 'path']), r.pick(hostileQuery)]);
    else if (op === 1) entries.splice(r.int(entries.length), 1);
    else {
      const i2 = r.int(entries.length);
      entries[i2] = [entries[i2][0], r.pick(hostileQuery)];
    }
  }
  return entries;
}

function encodeQuery(entries: Array<[string, string]>, r: Rng): string {
  if (entries.length === 0) return '';
  // A few raw escapes the URL layer must cope with; the rest encoded as a client would.
  const enc = (s: string) => (s === '%' && r.chance(0.5) ? '%' : s === '\u0000' && r.chance(0.5) ? '%00' : pct(s));
  return '?' + entries.map(([k, v]) => `${pct(k)}=${enc(v)}`).join('&');
}

const hostileSegments = ['..', '.', '%00', '%2F', 'a%2Fb', '%ff', 'x'.repeat(300), '*', 'sha256:', '%20', '~', 'json'];

/** A path parameter: usually something that exists, sometimes anything. */
function segment(r: Rng, pool: readonly string[]): string {
  if (pool.length && r.chance(0.8)) return pct(r.pick(pool));
  if (r.chance(0.5)) return r.pick(hostileSegments);
  const s = r.pick(hostileStrings);
  return s === '' ? '' : pct(s);
}

const loopbackRegistry = '127.0.0.1:1';

/** Image references a pull, push or search may send to a registry: always 127.0.0.1:1 (refused). */
function remoteRef(r: Rng): string {
  const tail = r.pick(['busybox', 'a/b', 'x:tag', 'UPPER', '@@@', 'a@sha256:abc', 'x'.repeat(300), '', 'a b', '../x']);
  return `${loopbackRegistry}/${tail}`;
}

export function tarWith(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const data = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  data.write(content);
  return Buffer.concat([header, data, Buffer.alloc(1024)]);
}

interface RouteSpec {
  method: string;
  template: string;
  weight: number;
  path(r: Rng, p: Pools): string;
  query?(r: Rng, p: Pools): Record<string, string | undefined>;
  body?(r: Rng, p: Pools): unknown;
  /** A body that is not JSON (tar uploads). */
  rawBody?(r: Rng): Buffer;
  /** Makes a mutated request safe to send (see the header). */
  sanitize?(body: unknown, p: Pools, r: Rng): unknown;
  sanitizeQuery?(q: Array<[string, string]>): Array<[string, string]>;
  streaming?: boolean;
  upgrade?: boolean;
  headers?: Record<string, string>;
  /** Never replace the body by one that is not built from ours (it could lose a sanitized field). */
  keepBody?: boolean;
  creates?: FuzzRequest['creates'];
}

const cmds = [['true'], ['sleep', '20'], ['sh', '-c', 'exit 3'], ['sh', '-c', 'echo hi; echo err >&2; sleep 3'], ['cat']];

function containerBody(r: Rng, p: Pools): Record<string, unknown> {
  const host: Record<string, unknown> = {};
  if (r.chance(0.3)) host.AutoRemove = true;
  if (r.chance(0.2)) host.Binds = [`${p.bindDir}/b${r.int(3)}:/b`, ...(r.chance(0.3) ? ['/anon'] : []), ...(r.chance(0.3) && p.volumes.length ? [`${r.pick(p.volumes)}:/nv`] : [])];
  if (r.chance(0.2)) host.Mounts = [{ Type: r.pick(['volume', 'tmpfs', 'bind']), Target: '/m', ...(r.chance(0.5) ? { Source: p.volumes.length ? r.pick(p.volumes) : 'fz-vol' } : {}) }];
  if (r.chance(0.2)) host.Tmpfs = { '/t': 'size=1m' };
  if (r.chance(0.2)) host.PortBindings = { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] };
  if (r.chance(0.2)) host.Memory = r.pick([0, 64 << 20]);
  if (r.chance(0.1)) host.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
  if (r.chance(0.2)) host.NetworkMode = r.pick(['default', 'bridge', 'none', ...p.networks]);
  if (r.chance(0.1)) host.Init = true;
  if (r.chance(0.1)) host.CapAdd = ['NET_ADMIN'];
  if (r.chance(0.1)) host.Dns = ['127.0.0.1'] // the container's own loopback: no query leaves it;
  if (r.chance(0.1)) host.ExtraHosts = ['db:10.0.0.5'];
  if (r.chance(0.1)) host.LogConfig = { Type: 'json-file', Config: { 'max-size': '1m' } };
  if (r.chance(0.1)) host.ShmSize = 1 << 20;
  if (r.chance(0.1)) host.ReadonlyRootfs = true;
  // sleep ignores SIGTERM as pid 1: a short stop timeout keeps a plain stop short
  const body: Record<string, unknown> = { Image: r.pick(p.images.length ? p.images : ['busybox']), Cmd: r.pick(cmds), StopTimeout: 1 };
  if (r.chance(0.3)) body.Env = ['A=1', 'B=two'];
  if (r.chance(0.2)) body.Labels = { fz: '1' };
  if (r.chance(0.2)) body.Tty = true;
  if (r.chance(0.2)) body.OpenStdin = true;
  if (r.chance(0.2)) body.ExposedPorts = { '80/tcp': {} };
  if (r.chance(0.2)) body.Volumes = { '/data': {} };
  if (r.chance(0.1)) body.WorkingDir = '/tmp/w';
  if (r.chance(0.1)) body.Entrypoint = ['/bin/sh', '-c'];
  if (r.chance(0.1)) body.StopSignal = 'SIGTERM';
  if (r.chance(0.1)) body.Healthcheck = { Test: ['CMD', 'true'], Interval: 1e9 };
  if (r.chance(0.1) && p.networks.length) body.NetworkingConfig = { EndpointsConfig: { [r.pick(p.networks)]: { Aliases: ['fz'] } } };
  if (Object.keys(host).length || r.chance(0.5)) body.HostConfig = host;
  return body;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Keeps bind sources under the test's directory and away from cgroups and devices of the host. */
function sanitizeContainer(body: unknown, p: Pools): unknown {
  if (!isObject(body)) return body;
  const host = body.HostConfig;
  if (isObject(host)) {
    delete host.CgroupParent;
    delete host.Devices;
    delete host.DeviceCgroupRules;
    delete host.VolumeDriver;
    if (Array.isArray(host.Binds)) {
      host.Binds = host.Binds.map((b) => (typeof b === 'string' && b.startsWith('/') && b.includes(':') && !b.startsWith(p.bindDir) ? `${p.bindDir}/x${b.slice(b.indexOf(':'))}` : b));
    }
    if (Array.isArray(host.Mounts)) {
      for (const m of host.Mounts) {
        if (!isObject(m)) continue;
        if (typeof m.Source === 'string' && m.Source.startsWith('/') && !m.Source.startsWith(p.bindDir)) m.Source = `${p.bindDir}/m`;
        if (isObject(m.VolumeOptions)) delete m.VolumeOptions.DriverConfig;
      }
    }
  }
  return body;
}

function subnet(p: Pools, r: Rng): { Subnet: string; Gateway?: string } {
  const n = r.int(16) * 16;
  return { Subnet: `${p.subnetPrefix}.${n}/28`, ...(r.chance(0.5) ? { Gateway: `${p.subnetPrefix}.${n + 1}` } : {}) };
}

/**
 * A network must never take an address range it was not given: without a subnet of ours one
 * would come from the host-wide default pools that other daemons on this machine share.
 */
function sanitizeNetwork(body: unknown, p: Pools, r: Rng): unknown {
  if (!isObject(body)) return body;
  const ours = (c: unknown) => isObject(c) && typeof c.Subnet === 'string' && c.Subnet.startsWith(p.subnetPrefix + '.');
  if (!isObject(body.IPAM)) body.IPAM = { Config: [subnet(p, r)] };
  const ipam = body.IPAM as Record<string, unknown>;
  if (!Array.isArray(ipam.Config)) ipam.Config = [subnet(p, r)];
  const config = ipam.Config as unknown[];
  if (!ours(config[0])) config.unshift(subnet(p, r));
  if (isObject(body.Options)) for (const k of Object.keys(body.Options)) if (k.startsWith('com.docker.network.bridge.name')) delete body.Options[k];
  return body;
}

function sanitizeVolume(body: unknown): unknown {
  if (!isObject(body)) return body;
  // only tmpfs, or options no mount will accept: never a device or a bind of the host
  if (isObject(body.DriverOpts)) {
    const o = body.DriverOpts;
    if (typeof o.type === 'string' && o.type !== 'tmpfs') o.type = 'fuzz-fs';
    if (typeof o.o === 'string' && /bind|addr/.test(o.o)) o.o = 'size=1m';
  }
  return body;
}

/** A login goes to the refused loopback registry whatever else the body says (an empty or
 * missing address would mean Docker Hub). */
function sanitizeAuth(body: unknown): unknown {
  if (!isObject(body)) return { serveraddress: `http://${loopbackRegistry}/`, username: body };
  const given = body.serveraddress;
  if (typeof given !== 'string' || !given.startsWith(`http://${loopbackRegistry}/`)) body.serveraddress = `http://${loopbackRegistry}/${typeof given === 'string' ? pct(given) : ''}`;
  return body;
}

/** Pull and import sources: our own stream or the refused loopback registry, nothing else. */
function sanitizeImageCreate(q: Array<[string, string]>): Array<[string, string]> {
  return q.map(([k, v]) => {
    if (k === 'fromImage') return [k, v.startsWith(`${loopbackRegistry}/`) ? v : `${loopbackRegistry}/${v}`];
    if (k === 'fromSrc') return [k, v === '-' || v === '' ? v : `http://${loopbackRegistry}/${pct(v)}`];
    if (k === 'repo' && q.some(([k2]) => k2 === 'fromImage')) return [k, `${loopbackRegistry}/${v}`];
    return [k, v];
  });
}

function sanitizeSearch(q: Array<[string, string]>): Array<[string, string]> {
  const rest = q.filter(([k]) => k !== 'term');
  const term = q.find(([k]) => k === 'term')?.[1] ?? '';
  return [...rest, ['term', `${loopbackRegistry}/${term}`]];
}

const c = (r: Rng, p: Pools) => segment(r, p.containers);

const routes: RouteSpec[] = [
  { method: 'GET', template: '/_ping', weight: 1, path: () => '/_ping' },
  { method: 'GET', template: '/version', weight: 1, path: () => '/version' },
  { method: 'GET', template: '/info', weight: 1, path: () => '/info' },
  { method: 'GET', template: '/system/df', weight: 1, path: () => '/system/df' },
  {
    method: 'GET',
    template: '/containers/json',
    weight: 3,
    path: () => '/containers/json',
    query: (r) => ({ all: '1', ...(r.chance(0.5) ? { filters: JSON.stringify(r.pick([{ status: ['running'] }, { label: ['fz'] }, { name: ['fz'] }, { ancestor: ['busybox'] }, { exited: ['3'] }])) } : {}), ...(r.chance(0.3) ? { limit: '2', size: '1' } : {}) }),
  },
  {
    method: 'POST',
    template: '/containers/create',
    weight: 14,
    path: () => '/containers/create',
    query: (r) => (r.chance(0.5) ? { name: `fz-${r.int(1e6)}` } : {}),
    body: containerBody,
    sanitize: sanitizeContainer,
    creates: ['containers', 'volumes'],
  },
  { method: 'GET', template: '/containers/{id}/json', weight: 3, path: (r, p) => `/containers/${c(r, p)}/json`, query: (r) => (r.chance(0.3) ? { size: '1' } : {}) },
  { method: 'POST', template: '/containers/{id}/start', weight: 10, path: (r, p) => `/containers/${c(r, p)}/start` },
  { method: 'POST', template: '/containers/{id}/stop', weight: 3, path: (r, p) => `/containers/${c(r, p)}/stop`, query: (r) => ({ t: r.pick(['0', '1']) }) },
  { method: 'POST', template: '/containers/{id}/restart', weight: 2, path: (r, p) => `/containers/${c(r, p)}/restart`, query: (r) => ({ t: r.pick(['0', '1']) }) },
  { method: 'POST', template: '/containers/{id}/kill', weight: 3, path: (r, p) => `/containers/${c(r, p)}/kill`, query: (r) => ({ signal: r.pick(['SIGKILL', 'TERM', '9', 'SIGUSR1']) }) },
  { method: 'DELETE', template: '/containers/{id}', weight: 6, path: (r, p) => `/containers/${c(r, p)}`, query: (r) => ({ force: r.pick(['0', '1']), v: r.pick(['0', '1']) }) },
  { method: 'POST', template: '/containers/{id}/rename', weight: 1, path: (r, p) => `/containers/${c(r, p)}/rename`, query: (r) => ({ name: `fz-r${r.int(1e6)}` }) },
  { method: 'POST', template: '/containers/{id}/resize', weight: 1, path: (r, p) => `/containers/${c(r, p)}/resize`, query: () => ({ h: '24', w: '80' }) },
  { method: 'POST', template: '/containers/{id}/pause', weight: 1, path: (r, p) => `/containers/${c(r, p)}/pause` },
  { method: 'POST', template: '/containers/{id}/unpause', weight: 1, path: (r, p) => `/containers/${c(r, p)}/unpause` },
  { method: 'GET', template: '/containers/{id}/top', weight: 1, path: (r, p) => `/containers/${c(r, p)}/top`, query: (r) => (r.chance(0.5) ? { ps_args: r.pick(['aux', '-ef', '--fuzz']) } : {}) },
  { method: 'GET', template: '/containers/{id}/changes', weight: 1, path: (r, p) => `/containers/${c(r, p)}/changes` },
  { method: 'GET', template: '/containers/{id}/export', weight: 1, path: (r, p) => `/containers/${c(r, p)}/export`, streaming: true },
  {
    method: 'POST',
    template: '/containers/{id}/wait',
    weight: 2,
    path: (r, p) => `/containers/${c(r, p)}/wait`,
    query: (r) => (r.chance(0.5) ? { condition: r.pick(['not-running', 'next-exit', 'removed']) } : {}),
    streaming: true,
  },
  {
    method: 'GET',
    template: '/containers/{id}/logs',
    weight: 2,
    path: (r, p) => `/containers/${c(r, p)}/logs`,
    query: (r) => ({ stdout: '1', stderr: '1', ...(r.chance(0.3) ? { follow: '1' } : {}), ...(r.chance(0.3) ? { tail: r.pick(['1', 'all']) } : {}), ...(r.chance(0.2) ? { since: '1', timestamps: '1' } : {}) }),
    streaming: true,
  },
  {
    method: 'POST',
    template: '/containers/{id}/attach',
    weight: 4,
    path: (r, p) => `/containers/${c(r, p)}/attach`,
    query: (r) => ({ stream: '1', stdout: '1', stderr: '1', ...(r.chance(0.5) ? { stdin: '1' } : {}), ...(r.chance(0.3) ? { logs: '1' } : {}), ...(r.chance(0.2) ? { detachKeys: 'ctrl-x' } : {}) }),
    streaming: true,
    upgrade: true,
  },
  {
    method: 'POST',
    template: '/containers/{id}/exec',
    weight: 4,
    path: (r, p) => `/containers/${c(r, p)}/exec`,
    body: (r) => ({ Cmd: r.pick([['echo', 'x'], ['sh', '-c', 'exit 4'], ['sleep', '2'], ['cat']]), AttachStdout: true, AttachStderr: true, ...(r.chance(0.3) ? { AttachStdin: true } : {}), ...(r.chance(0.2) ? { Tty: true } : {}), ...(r.chance(0.2) ? { Env: ['A=1'], User: 'root', WorkingDir: '/tmp' } : {}) }),
  },
  {
    method: 'POST',
    template: '/exec/{id}/start',
    weight: 4,
    path: (r, p) => `/exec/${segment(r, p.execs)}/start`,
    body: (r) => ({ Detach: r.chance(0.3), Tty: false, ...(r.chance(0.2) ? { ConsoleSize: [24, 80] } : {}) }),
    streaming: true,
    upgrade: true,
  },
  { method: 'GET', template: '/exec/{id}/json', weight: 1, path: (r, p) => `/exec/${segment(r, p.execs)}/json` },
  { method: 'POST', template: '/exec/{id}/resize', weight: 1, path: (r, p) => `/exec/${segment(r, p.execs)}/resize`, query: () => ({ h: '24', w: '80' }) },
  { method: 'HEAD', template: '/containers/{id}/archive', weight: 1, path: (r, p) => `/containers/${c(r, p)}/archive`, query: (r) => ({ path: r.pick(['/etc/hosts', '/', '/tmp', '/nope', '/etc/../etc/passwd']) }) },
  { method: 'GET', template: '/containers/{id}/archive', weight: 2, path: (r, p) => `/containers/${c(r, p)}/archive`, query: (r) => ({ path: r.pick(['/etc/hosts', '/etc', '/tmp/.', '/nope', '/bin/sh']) }), streaming: true },
  {
    method: 'PUT',
    template: '/containers/{id}/archive',
    weight: 2,
    path: (r, p) => `/containers/${c(r, p)}/archive`,
    query: (r) => ({ path: r.pick(['/tmp', '/', '/nope', '/etc/hosts']), ...(r.chance(0.3) ? { noOverwriteDirNonDir: '1' } : {}), ...(r.chance(0.2) ? { copyUIDGID: '1' } : {}) }),
    rawBody: (r) => (r.chance(0.7) ? tarWith(r.pick(['f.txt', 'dir/', '../escape', '/abs', 'x'.repeat(99)]), 'fuzz\n') : Buffer.from(r.pick(['', 'not a tar', '\u0000'.repeat(700)]))),
  },
  {
    method: 'GET',
    template: '/images/json',
    weight: 2,
    path: () => '/images/json',
    query: (r) => ({ ...(r.chance(0.5) ? { all: '1' } : {}), ...(r.chance(0.3) ? { filters: JSON.stringify(r.pick([{ dangling: ['true'] }, { reference: ['busy*'] }, { label: ['x'] }])) } : {}) }),
  },
  { method: 'GET', template: '/images/{name}/json', weight: 2, path: (r, p) => `/images/${segment(r, p.images)}/json` },
  { method: 'GET', template: '/images/{name}/history', weight: 1, path: (r, p) => `/images/${segment(r, p.images)}/history` },
  { method: 'POST', template: '/images/{name}/tag', weight: 3, path: (r, p) => `/images/${segment(r, p.images)}/tag`, query: (r) => ({ repo: r.pick(['fz-tag', 'fz/tag', 'FZ', '']), tag: r.pick(['1', 'latest', '', '@@@']) }), creates: ['images'] },
  { method: 'DELETE', template: '/images/{name}', weight: 2, path: (r, p) => `/images/${segment(r, p.images.filter((i) => !i.startsWith('busybox')))}`, query: (r) => ({ force: r.pick(['0', '1']), noprune: r.pick(['0', '1']) }) },
  {
    method: 'POST',
    template: '/images/create',
    weight: 3,
    path: () => '/images/create',
    query: (r) => (r.chance(0.6) ? { fromSrc: '-', repo: r.pick(['fz-import', 'fz-import:1', '@@@']), ...(r.chance(0.5) ? { tag: r.pick(['2', '@@@', '']) } : {}) } : { fromImage: remoteRef(r), ...(r.chance(0.3) ? { tag: '1' } : {}) }),
    rawBody: (r) => (r.chance(0.6) ? tarWith('hello.txt', 'imported\n') : Buffer.from(r.pick(['', 'garbage', '\u001f\u008b\u0008']))),
    sanitizeQuery: sanitizeImageCreate,
    creates: ['images'],
  },
  {
    method: 'POST',
    template: '/images/load',
    weight: 2,
    path: () => '/images/load',
    query: (r) => (r.chance(0.3) ? { quiet: '1' } : {}),
    rawBody: (r) => (r.chance(0.5) ? tarWith(r.pick(['manifest.json', 'index.json', 'repositories', 'oci-layout']), r.pick(['[]', '{}', '[{"Config":"../../x","RepoTags":["a"],"Layers":["../l"]}]', 'x'])) : Buffer.from(r.pick(['', 'not a tar']))),
    creates: ['images'],
  },
  { method: 'GET', template: '/images/get', weight: 1, path: () => '/images/get', query: (r, p) => ({ names: r.pick(p.images.length ? p.images : ['busybox']) }), streaming: true },
  { method: 'GET', template: '/images/{name}/get', weight: 1, path: (r, p) => `/images/${segment(r, p.images)}/get`, streaming: true },
  { method: 'POST', template: '/images/prune', weight: 1, path: () => '/images/prune', query: (r) => (r.chance(0.5) ? { filters: JSON.stringify({ dangling: ['true'] }) } : {}) },
  { method: 'GET', template: '/images/search', weight: 1, path: () => '/images/search', query: (r) => ({ term: r.pick(['busybox', 'x']), ...(r.chance(0.3) ? { limit: '5' } : {}) }), sanitizeQuery: sanitizeSearch },
  {
    method: 'POST',
    template: '/images/{name}/push',
    weight: 1,
    path: (r) => `/images/${pct(remoteRef(r))}/push`,
    query: () => ({ tag: 'latest' }),
    headers: { 'X-Registry-Auth': 'e30=' },
  },
  { method: 'GET', template: '/distribution/{name}/json', weight: 1, path: (r) => `/distribution/${pct(remoteRef(r))}/json` },
  {
    method: 'POST',
    template: '/commit',
    weight: 2,
    path: () => '/commit',
    query: (r, p) => ({ container: r.pick(p.containers.length ? p.containers : ['x']), ...(r.chance(0.7) ? { repo: r.pick(['fz-commit', 'FZ', '@@@']), tag: r.pick(['1', '']) } : {}), ...(r.chance(0.3) ? { changes: r.pick(['CMD ["x"]', 'ENV A=1', 'BOGUS x', 'EXPOSE x']) } : {}), ...(r.chance(0.2) ? { pause: '0' } : {}) }),
    body: (r) => (r.chance(0.5) ? { Cmd: ['true'], Labels: { fz: 'c' } } : {}),
    creates: ['images'],
  },
  { method: 'GET', template: '/networks', weight: 2, path: () => '/networks', query: (r) => (r.chance(0.3) ? { filters: JSON.stringify(r.pick([{ driver: ['bridge'] }, { name: ['fz'] }, { dangling: ['true'] }])) } : {}) },
  { method: 'GET', template: '/networks/{id}', weight: 2, path: (r, p) => `/networks/${segment(r, p.networks)}`, query: (r) => (r.chance(0.3) ? { verbose: '1' } : {}) },
  {
    method: 'POST',
    template: '/networks/create',
    weight: 4,
    path: () => '/networks/create',
    body: (r, p) => ({
      Name: `fz-net-${r.int(1e6)}`,
      Driver: 'bridge',
      ...(r.chance(0.5) ? { CheckDuplicate: true } : {}),
      IPAM: { Driver: 'default', Config: [subnet(p, r)], ...(r.chance(0.2) ? { Options: {} } : {}) },
      ...(r.chance(0.3) ? { Internal: true } : {}),
      ...(r.chance(0.3) ? { Labels: { fz: '1' } } : {}),
      ...(r.chance(0.2) ? { Options: { 'com.docker.network.driver.mtu': '1400' } } : {}),
      ...(r.chance(0.2) ? { Attachable: true, EnableIPv6: false } : {}),
    }),
    sanitize: sanitizeNetwork,
    creates: ['networks'],
  },
  {
    method: 'POST',
    template: '/networks/{id}/connect',
    weight: 2,
    path: (r, p) => `/networks/${segment(r, p.networks)}/connect`,
    body: (r, p) => ({ Container: r.pick(p.containers.length ? p.containers : ['x']), ...(r.chance(0.5) ? { EndpointConfig: { Aliases: ['fz-a'], ...(r.chance(0.3) ? { IPAMConfig: { IPv4Address: `${p.subnetPrefix}.${2 + r.int(200)}` } } : {}) } } : {}) }),
  },
  { method: 'POST', template: '/networks/{id}/disconnect', weight: 1, path: (r, p) => `/networks/${segment(r, p.networks)}/disconnect`, body: (r, p) => ({ Container: r.pick(p.containers.length ? p.containers : ['x']), Force: r.chance(0.5) }) },
  { method: 'DELETE', template: '/networks/{id}', weight: 2, path: (r, p) => `/networks/${segment(r, p.networks)}` },
  { method: 'POST', template: '/networks/prune', weight: 1, path: () => '/networks/prune' },
  { method: 'GET', template: '/volumes', weight: 2, path: () => '/volumes', query: (r) => (r.chance(0.3) ? { filters: JSON.stringify(r.pick([{ dangling: ['true'] }, { name: ['fz'] }, { label: ['fz'] }])) } : {}) },
  { method: 'GET', template: '/volumes/{name}', weight: 1, path: (r, p) => `/volumes/${segment(r, p.volumes)}` },
  {
    method: 'POST',
    template: '/volumes/create',
    weight: 4,
    path: () => '/volumes/create',
    body: (r) => ({
      ...(r.chance(0.8) ? { Name: `fz-vol-${r.int(1e6)}` } : {}),
      ...(r.chance(0.3) ? { Driver: 'local' } : {}),
      ...(r.chance(0.3) ? { Labels: { fz: '1' } } : {}),
      ...(r.chance(0.3) ? { DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } } : {}),
    }),
    sanitize: sanitizeVolume,
    creates: ['volumes'],
  },
  { method: 'DELETE', template: '/volumes/{name}', weight: 2, path: (r, p) => `/volumes/${segment(r, p.volumes)}`, query: (r) => (r.chance(0.5) ? { force: '1' } : {}) },
  { method: 'POST', template: '/volumes/prune', weight: 1, path: () => '/volumes/prune' },
  { method: 'POST', template: '/auth', weight: 1, path: () => '/auth', body: () => ({ username: 'u', password: 'p', serveraddress: `http://${loopbackRegistry}/` }), sanitize: sanitizeAuth, keepBody: true },
  { method: 'GET', template: '/plugins', weight: 1, path: () => '/plugins' },
  { method: 'POST', template: '/plugins/pull', weight: 1, path: () => '/plugins/pull', query: (r) => ({ remote: remoteRef(r) }), body: () => [] },
  { method: 'POST', template: '/swarm/init', weight: 1, path: () => '/swarm/init', body: () => ({ ListenAddr: '127.0.0.1:1' }) },
  { method: 'GET', template: '/swarm', weight: 1, path: () => '/swarm' },
  { method: 'GET', template: '/{unknown}', weight: 1, path: (r) => `/${r.pick(['nope', 'containers', 'v1.43', 'v9.99/version', 'v1.0/version', '/', 'containers/json/extra'])}` },
];

const totalWeight = routes.reduce((n, r) => n + r.weight, 0);

function pickRoute(r: Rng): RouteSpec {
  let x = r.int(totalWeight);
  for (const route of routes) {
    x -= route.weight;
    if (x < 0) return route;
  }
  return routes[routes.length - 1];
}

/** The next request: a well-formed one about one time in six, malformed otherwise. */
export function nextRequest(r: Rng, p: Pools): FuzzRequest {
  const spec = pickRoute(r);
  const valid = r.chance(1 / 6);
  let path = spec.path(r, p);
  let query = Object.entries(spec.query?.(r, p) ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  let body: Body;
  if (spec.rawBody) body = { raw: spec.rawBody(r), contentType: 'application/x-tar' };
  else if (spec.body) body = { json: spec.body(r, p) };
  if (!valid) {
    const what = r.int(10);
    if (what < 3) query = mutateQuery(r, Object.fromEntries(query));
    else if (what < 8 && body && 'json' in body) body = { json: mutateJson(r, body.json) };
    else if (what < 9 && !spec.keepBody) body = rawHostileBody(r);
    else path = path.replace(/\/[^/]*$/, `/${r.pick(hostileSegments)}`);
  }
  if (body && 'json' in body && spec.sanitize) body = { json: spec.sanitize(body.json, p, r) };
  if (spec.sanitizeQuery) query = spec.sanitizeQuery(query);
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  if (spec.upgrade && r.chance(0.7)) Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'tcp' });
  if (r.chance(0.03)) Object.assign(headers, { Connection: 'Upgrade', Upgrade: r.pick(['h2c', 'websocket', 'tcp']) });
  return {
    route: `${spec.method} ${spec.template}`,
    method: spec.method,
    path: (r.chance(0.1) ? '/v1.43' : r.chance(0.02) ? r.pick(['/v1.12', '/v1.99', '/v1.x']) : '') + path + encodeQuery(query, r),
    body,
    headers,
    streaming: !!spec.streaming,
    holdMs: spec.streaming ? r.pick([0, 50, 300, 1000, 3000]) : 0,
    creates: spec.creates ?? [],
  };
}
