// From the validated, canonical plain data to the typed model: each value decoded the way
// compose-go's types decode it (command strings split into words, `KEY=VALUE` lists into
// mappings, "1g" into bytes, "1m30s" into a duration, "true" into a boolean…). Keys starting
// with `x-` are kept as extensions of the object they appear in.
import { InvalidArgument } from '../errors/index.ts';
import { parseGoDuration, parseRamInBytes } from '../lib/index.ts';
import { splitShellWords } from './shellwords.ts';
import { goString } from './merge.ts';
import { formatPath, isMapping, type Mapping } from './tree.ts';
import type * as M from './model.ts';

type P = string[];

function fail(path: P, message: string): never {
  throw new InvalidArgument(`${formatPath(path)}: ${message}`);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isMapping(v)) return 'mapping';
  return typeof v;
}

function str(v: unknown, path: P): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goString(v);
  return fail(path, `expected a string, got ${describe(v)}`);
}

function bool(v: unknown, path: P): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (['true', 'y', 'yes', 'on'].includes(s)) return true;
    if (['false', 'n', 'no', 'off'].includes(s)) return false;
    return fail(path, `invalid boolean: ${v}`);
  }
  return fail(path, `expected a boolean, got ${describe(v)}`);
}

function int(v: unknown, path: P): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[-+]?\d+$/.test(v.trim())) return Number(v.trim());
  return fail(path, `expected an integer, got ${JSON.stringify(v)}`);
}

function float(v: unknown, path: P): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fail(path, `expected a number, got ${JSON.stringify(v)}`);
}

/** UnitBytes: an integer, or a size such as "512m" (binary multiples, as docker's RAMInBytes). */
function bytes(v: unknown, path: P): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    if (/^[-+]?\d+$/.test(v)) return Number(v);
    try {
      return parseRamInBytes(v);
    } catch (err) {
      return fail(path, (err as Error).message);
    }
  }
  return fail(path, `expected a size, got ${describe(v)}`);
}

/** compose's durations: Go's syntax plus days (d) and weeks (w), in nanoseconds. */
export function parseComposeDuration(text: string): number {
  const m = /^([-+]?)((?:(?:\d+(?:\.\d+)?|\.\d+)[wd])*)(.*)$/.exec(text);
  if (!m || text === '' || (m[2] === '' && m[3] === '')) return Number(parseGoDuration(text));
  const sign = m[1] === '-' ? -1 : 1;
  let ns = 0;
  for (const part of m[2].match(/(?:\d+(?:\.\d+)?|\.\d+)[wd]/g) ?? []) {
    const n = Number(part.slice(0, -1));
    ns += n * (part.endsWith('w') ? 7 : 1) * 24 * 3600e9;
  }
  if (m[3] !== '') ns += Number(parseGoDuration(m[3]));
  return sign * ns;
}

function duration(v: unknown, path: P): number {
  try {
    return parseComposeDuration(typeof v === 'number' ? goString(v) : str(v, path));
  } catch (err) {
    return fail(path, (err as Error).message);
  }
}

function strings(v: unknown, path: P): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return fail(path, `invalid type ${describe(v)} for string list`);
  return v.map((e, i) => str(e, [...path, String(i)]));
}

function commandLine(v: unknown, path: P): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    try {
      return splitShellWords(v);
    } catch (err) {
      return fail(path, (err as Error).message);
    }
  }
  return strings(v, path);
}

/** MappingWithEquals: `KEY=value` or `KEY` (null: no value). */
function mappingWithEquals(v: unknown, path: P): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (isMapping(v)) {
    for (const [k, e] of Object.entries(v)) out[k] = e === null || e === undefined ? null : goString(e);
    return out;
  }
  if (!Array.isArray(v)) return fail(path, `unexpected value type ${describe(v)} for mapping`);
  for (const item of v) {
    const s = goString(item);
    const eq = s.indexOf('=');
    const k = eq < 0 ? s : s.slice(0, eq);
    if (k !== '' && /\s$/.test(k)) return fail(path, `environment variable ${k} is declared with a trailing space`);
    out[k] = eq < 0 ? null : s.slice(eq + 1);
  }
  return out;
}

/** Labels and other string mappings: a missing value is "". */
function stringMapping(v: unknown, path: P): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMapping(v)) {
    for (const [k, e] of Object.entries(v)) out[k] = e === null || e === undefined ? '' : goString(e);
    return out;
  }
  if (!Array.isArray(v)) return fail(path, `unexpected value type ${describe(v)} for mapping`);
  for (const item of v) {
    const s = goString(item);
    const eq = s.indexOf('=');
    out[eq < 0 ? s : s.slice(0, eq)] = eq < 0 ? '' : s.slice(eq + 1);
  }
  return out;
}

/** extra_hosts: `host=ip`, `host:ip` or a mapping; several addresses per host; [::1] unbracketed. */
export function hostsList(v: unknown, path: P): Record<string, string[]> {
  const list: Record<string, string[]> = {};
  if (isMapping(v)) {
    for (const [host, e] of Object.entries(v)) {
      list[host] = Array.isArray(e) ? e.map((x) => goString(x)) : [e === null || e === undefined ? '' : goString(e)];
    }
  } else if (Array.isArray(v)) {
    for (const item of v) {
      const s = goString(item);
      let found = false;
      for (const sep of ['=', ':']) {
        const at = s.indexOf(sep);
        if (at < 0) continue;
        const host = s.slice(0, at);
        (list[host] ??= []).push(...s.slice(at + 1).split(','));
        found = true;
        break;
      }
      if (!found) return fail(path, `invalid additional host, missing IP: ${s}`);
    }
  } else return fail(path, `unexpected value type ${describe(v)} for extra_hosts`);
  for (const [host, ips] of Object.entries(list)) {
    if (host === '' || /[:=]/.test(host)) return fail(path, `bad host name '${host}'`);
    list[host] = ips.map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip));
  }
  return list;
}

function extensionsOf(m: Mapping): M.Extensions | undefined {
  let ext: M.Extensions | undefined;
  for (const [k, v] of Object.entries(m)) {
    if (k.startsWith('x-')) (ext ??= {})[k] = v;
  }
  return ext;
}

/** Assigns only defined values, so absent keys stay absent in the model. */
function set<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function opt<T>(m: Mapping, key: string, path: P, decode: (v: unknown, p: P) => T): T | undefined {
  if (!Object.prototype.hasOwnProperty.call(m, key)) return undefined;
  const v = m[key];
  if (v === undefined) return undefined;
  return decode(v, [...path, key]);
}

function mapping(v: unknown, path: P): Mapping {
  if (!isMapping(v)) return fail(path, `expected a mapping, got ${describe(v)}`);
  return v;
}

// ---------------------------------------------------------------------------------------------

function fileReference(v: unknown, path: P): M.FileReference {
  const m = mapping(v, path);
  const ref: M.FileReference = { source: str(m.source ?? '', [...path, 'source']) };
  set(ref, 'target', opt(m, 'target', path, str));
  set(ref, 'uid', opt(m, 'uid', path, str));
  set(ref, 'gid', opt(m, 'gid', path, str));
  set(ref, 'mode', opt(m, 'mode', path, (x, p) => {
    if (typeof x === 'number') return x;
    const s = str(x, p);
    if (!/^[0-7]+$/.test(s)) return fail(p, `invalid file mode ${JSON.stringify(s)}`);
    return parseInt(s, 8);
  }));
  set(ref, 'extensions', extensionsOf(m));
  return ref;
}

function ulimits(v: unknown, path: P): Record<string, M.UlimitConfig> {
  const out: Record<string, M.UlimitConfig> = {};
  for (const [name, e] of Object.entries(mapping(v, path))) {
    const p = [...path, name];
    if (isMapping(e)) {
      const u: M.UlimitConfig = {};
      set(u, 'soft', opt(e, 'soft', p, int));
      set(u, 'hard', opt(e, 'hard', p, int));
      set(u, 'extensions', extensionsOf(e));
      out[name] = u;
    } else out[name] = { single: int(e, p) };
  }
  return out;
}

function deviceRequest(v: unknown, path: P): M.DeviceRequest {
  const m = mapping(v, path);
  const d: M.DeviceRequest = {};
  set(d, 'capabilities', opt(m, 'capabilities', path, strings));
  set(d, 'count', opt(m, 'count', path, (x, p) => (x === 'all' ? -1 : int(x, p))));
  set(d, 'device_ids', opt(m, 'device_ids', path, strings));
  set(d, 'driver', opt(m, 'driver', path, str));
  set(d, 'options', opt(m, 'options', path, stringMapping));
  return d;
}

function serviceHook(v: unknown, path: P): M.ServiceHook {
  const m = mapping(v, path);
  const hook: M.ServiceHook = { command: commandLine(m.command, [...path, 'command']) ?? [] };
  set(hook, 'user', opt(m, 'user', path, str));
  set(hook, 'privileged', opt(m, 'privileged', path, bool));
  set(hook, 'working_dir', opt(m, 'working_dir', path, str));
  set(hook, 'environment', opt(m, 'environment', path, mappingWithEquals));
  set(hook, 'extensions', extensionsOf(m));
  return hook;
}

function build(v: unknown, path: P): M.BuildConfig {
  const m = mapping(v, path);
  const b: M.BuildConfig = { context: str(m.context ?? '.', [...path, 'context']) };
  set(b, 'dockerfile', opt(m, 'dockerfile', path, str));
  set(b, 'dockerfile_inline', opt(m, 'dockerfile_inline', path, str));
  set(b, 'entitlements', opt(m, 'entitlements', path, strings));
  set(b, 'args', opt(m, 'args', path, mappingWithEquals));
  set(b, 'ssh', opt(m, 'ssh', path, (x, p) => {
    const out: Record<string, string | null> = {};
    for (const [k, e] of Object.entries(mapping(x, p))) out[k] = e === null ? null : str(e, [...p, k]);
    return out;
  }));
  set(b, 'labels', opt(m, 'labels', path, stringMapping));
  set(b, 'cache_from', opt(m, 'cache_from', path, strings));
  set(b, 'cache_to', opt(m, 'cache_to', path, strings));
  set(b, 'no_cache', opt(m, 'no_cache', path, bool));
  set(b, 'additional_contexts', opt(m, 'additional_contexts', path, stringMapping));
  set(b, 'network', opt(m, 'network', path, str));
  set(b, 'provenance', opt(m, 'provenance', path, (x) => goString(x)));
  set(b, 'sbom', opt(m, 'sbom', path, (x) => goString(x)));
  set(b, 'pull', opt(m, 'pull', path, bool));
  set(b, 'target', opt(m, 'target', path, str));
  set(b, 'shm_size', opt(m, 'shm_size', path, bytes));
  set(b, 'extra_hosts', opt(m, 'extra_hosts', path, hostsList));
  set(b, 'isolation', opt(m, 'isolation', path, str));
  set(b, 'privileged', opt(m, 'privileged', path, bool));
  set(b, 'secrets', opt(m, 'secrets', path, (x, p) => (x as unknown[]).map((e, i) => fileReference(e, [...p, String(i)]))));
  set(b, 'tags', opt(m, 'tags', path, strings));
  set(b, 'ulimits', opt(m, 'ulimits', path, ulimits));
  set(b, 'platforms', opt(m, 'platforms', path, strings));
  set(b, 'extensions', extensionsOf(m));
  return b;
}

function develop(v: unknown, path: P): M.DevelopConfig {
  const m = isMapping(v) ? v : {};
  const d: M.DevelopConfig = {};
  set(d, 'watch', opt(m, 'watch', path, (x, p) =>
    (x as unknown[]).map((e, i) => {
      const wp = [...p, String(i)];
      const w = mapping(e, wp);
      const item: NonNullable<M.DevelopConfig['watch']>[number] = { path: str(w.path, [...wp, 'path']), action: str(w.action, [...wp, 'action']) };
      set(item, 'target', opt(w, 'target', wp, str));
      set(item, 'ignore', opt(w, 'ignore', wp, strings));
      set(item, 'include', opt(w, 'include', wp, strings));
      set(item, 'exec', opt(w, 'exec', wp, serviceHook));
      set(item, 'initial_sync', opt(w, 'initial_sync', wp, bool));
      set(item, 'extensions', extensionsOf(w));
      return item;
    }),
  ));
  set(d, 'extensions', extensionsOf(m));
  return d;
}

function blkio(v: unknown, path: P): M.BlkioConfig {
  const m = mapping(v, path);
  const b: M.BlkioConfig = {};
  const rates = (sizes: boolean) => (x: unknown, p: P) =>
    (x as unknown[]).map((e, i) => {
      const r = mapping(e, [...p, String(i)]);
      return { path: str(r.path ?? '', [...p, String(i), 'path']), rate: sizes ? bytes(r.rate ?? 0, [...p, String(i), 'rate']) : int(r.rate ?? 0, [...p, String(i), 'rate']) };
    });
  set(b, 'weight', opt(m, 'weight', path, int));
  set(b, 'weight_device', opt(m, 'weight_device', path, (x, p) =>
    (x as unknown[]).map((e, i) => {
      const r = mapping(e, [...p, String(i)]);
      return { path: str(r.path ?? '', [...p, String(i), 'path']), weight: int(r.weight ?? 0, [...p, String(i), 'weight']) };
    }),
  ));
  set(b, 'device_read_bps', opt(m, 'device_read_bps', path, rates(true)));
  set(b, 'device_read_iops', opt(m, 'device_read_iops', path, rates(false)));
  set(b, 'device_write_bps', opt(m, 'device_write_bps', path, rates(true)));
  set(b, 'device_write_iops', opt(m, 'device_write_iops', path, rates(false)));
  return b;
}

function updateConfig(v: unknown, path: P): M.UpdateConfig {
  const m = mapping(v, path);
  const u: M.UpdateConfig = {};
  set(u, 'parallelism', opt(m, 'parallelism', path, int));
  set(u, 'delay', opt(m, 'delay', path, duration));
  set(u, 'failure_action', opt(m, 'failure_action', path, str));
  set(u, 'monitor', opt(m, 'monitor', path, duration));
  set(u, 'max_failure_ratio', opt(m, 'max_failure_ratio', path, float));
  set(u, 'order', opt(m, 'order', path, str));
  set(u, 'extensions', extensionsOf(m));
  return u;
}

function resource(v: unknown, path: P): M.Resource {
  const m = mapping(v, path);
  const r: M.Resource = {};
  set(r, 'cpus', opt(m, 'cpus', path, float));
  set(r, 'memory', opt(m, 'memory', path, bytes));
  set(r, 'pids', opt(m, 'pids', path, int));
  set(r, 'devices', opt(m, 'devices', path, (x, p) => (x as unknown[]).map((e, i) => deviceRequest(e, [...p, String(i)]))));
  set(r, 'generic_resources', opt(m, 'generic_resources', path, (x, p) =>
    (x as unknown[]).map((e, i) => {
      const g = mapping(e, [...p, String(i)]);
      const out: NonNullable<M.Resource['generic_resources']>[number] = {};
      if (isMapping(g.discrete_resource_spec)) {
        const d = g.discrete_resource_spec;
        const spec: { kind?: string; value?: number; extensions?: M.Extensions } = {};
        set(spec, 'kind', opt(d, 'kind', [...p, String(i), 'discrete_resource_spec'], str));
        set(spec, 'value', opt(d, 'value', [...p, String(i), 'discrete_resource_spec'], float));
        set(spec, 'extensions', extensionsOf(d));
        out.discrete_resource_spec = spec;
      }
      set(out, 'extensions', extensionsOf(g));
      return out;
    }),
  ));
  set(r, 'extensions', extensionsOf(m));
  return r;
}

function deploy(v: unknown, path: P): M.DeployConfig {
  const m = isMapping(v) ? v : {};
  const d: M.DeployConfig = {};
  set(d, 'mode', opt(m, 'mode', path, str));
  set(d, 'replicas', opt(m, 'replicas', path, int));
  set(d, 'labels', opt(m, 'labels', path, stringMapping));
  set(d, 'update_config', opt(m, 'update_config', path, updateConfig));
  set(d, 'rollback_config', opt(m, 'rollback_config', path, updateConfig));
  set(d, 'resources', opt(m, 'resources', path, (x, p) => {
    const rm = mapping(x, p);
    const res: NonNullable<M.DeployConfig['resources']> = {};
    set(res, 'limits', opt(rm, 'limits', p, resource));
    set(res, 'reservations', opt(rm, 'reservations', p, resource));
    set(res, 'extensions', extensionsOf(rm));
    return res;
  }));
  set(d, 'restart_policy', opt(m, 'restart_policy', path, (x, p) => {
    const rm = mapping(x, p);
    const rp: NonNullable<M.DeployConfig['restart_policy']> = {};
    set(rp, 'condition', opt(rm, 'condition', p, str));
    set(rp, 'delay', opt(rm, 'delay', p, duration));
    set(rp, 'max_attempts', opt(rm, 'max_attempts', p, int));
    set(rp, 'window', opt(rm, 'window', p, duration));
    set(rp, 'extensions', extensionsOf(rm));
    return rp;
  }));
  set(d, 'placement', opt(m, 'placement', path, (x, p) => {
    const pm = mapping(x, p);
    const pl: NonNullable<M.DeployConfig['placement']> = {};
    set(pl, 'constraints', opt(pm, 'constraints', p, strings));
    set(pl, 'preferences', opt(pm, 'preferences', p, (y, q) =>
      (y as unknown[]).map((e, i) => {
        const em = mapping(e, [...q, String(i)]);
        const pref: { spread?: string; extensions?: M.Extensions } = {};
        set(pref, 'spread', opt(em, 'spread', [...q, String(i)], str));
        set(pref, 'extensions', extensionsOf(em));
        return pref;
      }),
    ));
    set(pl, 'max_replicas_per_node', opt(pm, 'max_replicas_per_node', p, int));
    set(pl, 'extensions', extensionsOf(pm));
    return pl;
  }));
  set(d, 'endpoint_mode', opt(m, 'endpoint_mode', path, str));
  set(d, 'extensions', extensionsOf(m));
  return d;
}

function healthcheck(v: unknown, path: P): M.HealthCheckConfig {
  const m = mapping(v, path);
  const h: M.HealthCheckConfig = {};
  set(h, 'test', opt(m, 'test', path, (x, p) => (typeof x === 'string' ? ['CMD-SHELL', x] : strings(x, p))));
  set(h, 'timeout', opt(m, 'timeout', path, duration));
  set(h, 'interval', opt(m, 'interval', path, duration));
  set(h, 'retries', opt(m, 'retries', path, int));
  set(h, 'start_period', opt(m, 'start_period', path, duration));
  set(h, 'start_interval', opt(m, 'start_interval', path, duration));
  set(h, 'disable', opt(m, 'disable', path, bool));
  set(h, 'extensions', extensionsOf(m));
  return h;
}

function port(v: unknown, path: P): M.ServicePortConfig {
  const m = mapping(v, path);
  const target = int(m.target ?? 0, [...path, 'target']);
  if (target < 0 || target > 65535) fail([...path, 'target'], `invalid port ${target}`);
  const p: M.ServicePortConfig = { mode: str(m.mode ?? 'ingress', [...path, 'mode']), target, protocol: str(m.protocol ?? 'tcp', [...path, 'protocol']) };
  set(p, 'name', opt(m, 'name', path, str));
  set(p, 'host_ip', opt(m, 'host_ip', path, str));
  set(p, 'published', opt(m, 'published', path, (x) => goString(x)));
  set(p, 'app_protocol', opt(m, 'app_protocol', path, str));
  set(p, 'extensions', extensionsOf(m));
  return p;
}

function serviceVolume(v: unknown, path: P): M.ServiceVolumeConfig {
  const m = mapping(v, path);
  const vol: M.ServiceVolumeConfig = { type: str(m.type, [...path, 'type']) as M.VolumeType, target: str(m.target ?? '', [...path, 'target']) };
  set(vol, 'source', opt(m, 'source', path, str));
  set(vol, 'read_only', opt(m, 'read_only', path, bool));
  set(vol, 'consistency', opt(m, 'consistency', path, str));
  set(vol, 'bind', opt(m, 'bind', path, (x, p) => {
    const b = mapping(x, p);
    const out: NonNullable<M.ServiceVolumeConfig['bind']> = { create_host_path: b.create_host_path === undefined ? true : bool(b.create_host_path, [...p, 'create_host_path']) };
    set(out, 'propagation', opt(b, 'propagation', p, str));
    set(out, 'recursive', opt(b, 'recursive', p, str));
    set(out, 'selinux', opt(b, 'selinux', p, str));
    set(out, 'extensions', extensionsOf(b));
    return out;
  }));
  set(vol, 'volume', opt(m, 'volume', path, (x, p) => {
    const b = mapping(x, p);
    const out: NonNullable<M.ServiceVolumeConfig['volume']> = {};
    set(out, 'labels', opt(b, 'labels', p, stringMapping));
    set(out, 'nocopy', opt(b, 'nocopy', p, bool));
    set(out, 'subpath', opt(b, 'subpath', p, str));
    set(out, 'extensions', extensionsOf(b));
    return out;
  }));
  set(vol, 'tmpfs', opt(m, 'tmpfs', path, (x, p) => {
    const b = mapping(x, p);
    const out: NonNullable<M.ServiceVolumeConfig['tmpfs']> = {};
    set(out, 'size', opt(b, 'size', p, bytes));
    set(out, 'mode', opt(b, 'mode', p, (y, q) => (typeof y === 'number' ? y : /^0[0-7]*$/.test(str(y, q)) ? parseInt(String(y), 8) : int(y, q))));
    set(out, 'extensions', extensionsOf(b));
    return out;
  }));
  set(vol, 'image', opt(m, 'image', path, (x, p) => {
    const b = mapping(x, p);
    const out: NonNullable<M.ServiceVolumeConfig['image']> = {};
    set(out, 'subpath', opt(b, 'subpath', p, str));
    set(out, 'extensions', extensionsOf(b));
    return out;
  }));
  set(vol, 'extensions', extensionsOf(m));
  return vol;
}

function serviceNetwork(v: unknown, path: P): M.ServiceNetworkConfig | null {
  if (v === null || v === undefined) return null;
  const m = mapping(v, path);
  const n: M.ServiceNetworkConfig = {};
  set(n, 'aliases', opt(m, 'aliases', path, strings));
  set(n, 'driver_opts', opt(m, 'driver_opts', path, stringMapping));
  set(n, 'gw_priority', opt(m, 'gw_priority', path, int));
  set(n, 'interface_name', opt(m, 'interface_name', path, str));
  set(n, 'ipv4_address', opt(m, 'ipv4_address', path, str));
  set(n, 'ipv6_address', opt(m, 'ipv6_address', path, str));
  set(n, 'link_local_ips', opt(m, 'link_local_ips', path, strings));
  set(n, 'mac_address', opt(m, 'mac_address', path, str));
  set(n, 'priority', opt(m, 'priority', path, int));
  set(n, 'extensions', extensionsOf(m));
  return n;
}

export function toService(name: string, v: unknown, path: P): M.ServiceConfig {
  const m = isMapping(v) ? v : {};
  const s: M.ServiceConfig = { name };
  set(s, 'profiles', opt(m, 'profiles', path, strings));
  set(s, 'annotations', opt(m, 'annotations', path, stringMapping));
  set(s, 'attach', opt(m, 'attach', path, bool));
  set(s, 'build', opt(m, 'build', path, build));
  set(s, 'develop', opt(m, 'develop', path, develop));
  set(s, 'blkio_config', opt(m, 'blkio_config', path, blkio));
  set(s, 'cap_add', opt(m, 'cap_add', path, strings));
  set(s, 'cap_drop', opt(m, 'cap_drop', path, strings));
  set(s, 'cgroup_parent', opt(m, 'cgroup_parent', path, str));
  set(s, 'cgroup', opt(m, 'cgroup', path, str));
  set(s, 'cpu_count', opt(m, 'cpu_count', path, int));
  set(s, 'cpu_percent', opt(m, 'cpu_percent', path, float));
  set(s, 'cpu_period', opt(m, 'cpu_period', path, int));
  set(s, 'cpu_quota', opt(m, 'cpu_quota', path, int));
  set(s, 'cpu_rt_period', opt(m, 'cpu_rt_period', path, int));
  set(s, 'cpu_rt_runtime', opt(m, 'cpu_rt_runtime', path, int));
  set(s, 'cpus', opt(m, 'cpus', path, float));
  set(s, 'cpuset', opt(m, 'cpuset', path, str));
  set(s, 'cpu_shares', opt(m, 'cpu_shares', path, int));
  set(s, 'command', opt(m, 'command', path, commandLine));
  set(s, 'configs', opt(m, 'configs', path, (x, p) => (x as unknown[]).map((e, i) => fileReference(e, [...p, String(i)]))));
  set(s, 'container_name', opt(m, 'container_name', path, str));
  set(s, 'credential_spec', opt(m, 'credential_spec', path, (x, p) => {
    const c = mapping(x, p);
    const out: M.CredentialSpec = {};
    set(out, 'config', opt(c, 'config', p, str));
    set(out, 'file', opt(c, 'file', p, str));
    set(out, 'registry', opt(c, 'registry', p, str));
    set(out, 'extensions', extensionsOf(c));
    return out;
  }));
  set(s, 'depends_on', opt(m, 'depends_on', path, (x, p) => {
    const out: Record<string, M.ServiceDependency> = {};
    for (const [dep, e] of Object.entries(mapping(x, p))) {
      const dm = mapping(e, [...p, dep]);
      const d: M.ServiceDependency = {
        condition: str(dm.condition ?? 'service_started', [...p, dep, 'condition']) as M.DependencyCondition,
        restart: dm.restart === undefined ? false : bool(dm.restart, [...p, dep, 'restart']),
        required: dm.required === undefined ? true : bool(dm.required, [...p, dep, 'required']),
      };
      set(d, 'extensions', extensionsOf(dm));
      out[dep] = d;
    }
    return out;
  }));
  set(s, 'deploy', opt(m, 'deploy', path, deploy));
  set(s, 'device_cgroup_rules', opt(m, 'device_cgroup_rules', path, strings));
  set(s, 'devices', opt(m, 'devices', path, (x, p) =>
    (x as unknown[]).map((e, i) => {
      const dm = mapping(e, [...p, String(i)]);
      const src = str(dm.source ?? '', [...p, String(i), 'source']);
      const d: M.DeviceMapping = {
        source: src,
        target: dm.target === undefined ? src : str(dm.target, [...p, String(i), 'target']),
        permissions: dm.permissions === undefined ? 'rwm' : str(dm.permissions, [...p, String(i), 'permissions']),
      };
      set(d, 'extensions', extensionsOf(dm));
      return d;
    }),
  ));
  set(s, 'dns', opt(m, 'dns', path, strings));
  set(s, 'dns_opt', opt(m, 'dns_opt', path, strings));
  set(s, 'dns_search', opt(m, 'dns_search', path, strings));
  set(s, 'domainname', opt(m, 'domainname', path, str));
  set(s, 'entrypoint', opt(m, 'entrypoint', path, commandLine));
  set(s, 'provider', opt(m, 'provider', path, (x, p) => {
    const pm = mapping(x, p);
    const out: M.ProviderConfig = { type: str(pm.type, [...p, 'type']) };
    set(out, 'options', opt(pm, 'options', p, (y, q) => {
      const o: Record<string, string[]> = {};
      for (const [k, e] of Object.entries(mapping(y, q))) o[k] = Array.isArray(e) ? e.map((z) => goString(z)) : [goString(e)];
      return o;
    }));
    set(out, 'extensions', extensionsOf(pm));
    return out;
  }));
  set(s, 'environment', opt(m, 'environment', path, mappingWithEquals));
  set(s, 'env_file', opt(m, 'env_file', path, (x, p) =>
    (x as unknown[]).map((e, i) => {
      const em = mapping(e, [...p, String(i)]);
      const f: M.EnvFile = {
        path: str(em.path, [...p, String(i), 'path']),
        required: em.required === undefined ? true : bool(em.required, [...p, String(i), 'required']),
      };
      set(f, 'format', opt(em, 'format', [...p, String(i)], str));
      return f;
    }),
  ));
  set(s, 'expose', opt(m, 'expose', path, (x, p) => (x as unknown[]).map((e, i) => str(e, [...p, String(i)]))));
  set(s, 'external_links', opt(m, 'external_links', path, strings));
  set(s, 'extra_hosts', opt(m, 'extra_hosts', path, hostsList));
  set(s, 'group_add', opt(m, 'group_add', path, (x, p) => (x as unknown[]).map((e, i) => str(e, [...p, String(i)]))));
  set(s, 'gpus', opt(m, 'gpus', path, (x, p) => (x as unknown[]).map((e, i) => deviceRequest(e, [...p, String(i)]))));
  set(s, 'hostname', opt(m, 'hostname', path, str));
  set(s, 'healthcheck', opt(m, 'healthcheck', path, healthcheck));
  set(s, 'image', opt(m, 'image', path, str));
  set(s, 'init', opt(m, 'init', path, bool));
  set(s, 'ipc', opt(m, 'ipc', path, str));
  set(s, 'isolation', opt(m, 'isolation', path, str));
  set(s, 'labels', opt(m, 'labels', path, stringMapping));
  set(s, 'label_file', opt(m, 'label_file', path, strings));
  set(s, 'links', opt(m, 'links', path, strings));
  set(s, 'logging', opt(m, 'logging', path, (x, p) => {
    const lm = mapping(x, p);
    const l: M.LoggingConfig = {};
    set(l, 'driver', opt(lm, 'driver', p, str));
    set(l, 'options', opt(lm, 'options', p, stringMapping));
    set(l, 'extensions', extensionsOf(lm));
    return l;
  }));
  set(s, 'mem_limit', opt(m, 'mem_limit', path, bytes));
  set(s, 'mem_reservation', opt(m, 'mem_reservation', path, bytes));
  set(s, 'memswap_limit', opt(m, 'memswap_limit', path, bytes));
  set(s, 'mem_swappiness', opt(m, 'mem_swappiness', path, bytes));
  set(s, 'mac_address', opt(m, 'mac_address', path, str));
  set(s, 'models', opt(m, 'models', path, (x, p) => {
    const out: Record<string, M.ServiceModelConfig | null> = {};
    for (const [k, e] of Object.entries(mapping(x, p))) {
      if (e === null || e === undefined) {
        out[k] = null;
        continue;
      }
      const em = mapping(e, [...p, k]);
      const mc: M.ServiceModelConfig = {};
      set(mc, 'endpoint_var', opt(em, 'endpoint_var', [...p, k], str));
      set(mc, 'model_var', opt(em, 'model_var', [...p, k], str));
      set(mc, 'extensions', extensionsOf(em));
      out[k] = mc;
    }
    return out;
  }));
  set(s, 'network_mode', opt(m, 'network_mode', path, str));
  set(s, 'networks', opt(m, 'networks', path, (x, p) => {
    const out: Record<string, M.ServiceNetworkConfig | null> = {};
    for (const [k, e] of Object.entries(mapping(x, p))) out[k] = serviceNetwork(e, [...p, k]);
    return out;
  }));
  set(s, 'oom_kill_disable', opt(m, 'oom_kill_disable', path, bool));
  set(s, 'oom_score_adj', opt(m, 'oom_score_adj', path, int));
  set(s, 'pid', opt(m, 'pid', path, (x, p) => (x === null ? undefined : str(x, p))));
  set(s, 'pids_limit', opt(m, 'pids_limit', path, int));
  set(s, 'platform', opt(m, 'platform', path, str));
  set(s, 'ports', opt(m, 'ports', path, (x, p) => (x as unknown[]).map((e, i) => port(e, [...p, String(i)]))));
  set(s, 'privileged', opt(m, 'privileged', path, bool));
  set(s, 'pull_policy', opt(m, 'pull_policy', path, str));
  set(s, 'pull_refresh_after', opt(m, 'pull_refresh_after', path, str));
  set(s, 'read_only', opt(m, 'read_only', path, bool));
  set(s, 'restart', opt(m, 'restart', path, str));
  set(s, 'runtime', opt(m, 'runtime', path, str));
  set(s, 'scale', opt(m, 'scale', path, int));
  set(s, 'secrets', opt(m, 'secrets', path, (x, p) => (x as unknown[]).map((e, i) => fileReference(e, [...p, String(i)]))));
  set(s, 'security_opt', opt(m, 'security_opt', path, strings));
  set(s, 'shm_size', opt(m, 'shm_size', path, bytes));
  set(s, 'stdin_open', opt(m, 'stdin_open', path, bool));
  set(s, 'stop_grace_period', opt(m, 'stop_grace_period', path, duration));
  set(s, 'stop_signal', opt(m, 'stop_signal', path, str));
  set(s, 'storage_opt', opt(m, 'storage_opt', path, stringMapping));
  set(s, 'sysctls', opt(m, 'sysctls', path, stringMapping));
  set(s, 'tmpfs', opt(m, 'tmpfs', path, strings));
  set(s, 'tty', opt(m, 'tty', path, bool));
  set(s, 'ulimits', opt(m, 'ulimits', path, ulimits));
  set(s, 'use_api_socket', opt(m, 'use_api_socket', path, bool));
  set(s, 'user', opt(m, 'user', path, str));
  set(s, 'userns_mode', opt(m, 'userns_mode', path, str));
  set(s, 'uts', opt(m, 'uts', path, str));
  set(s, 'volumes', opt(m, 'volumes', path, (x, p) => (x as unknown[]).map((e, i) => serviceVolume(e, [...p, String(i)]))));
  set(s, 'volumes_from', opt(m, 'volumes_from', path, strings));
  set(s, 'working_dir', opt(m, 'working_dir', path, str));
  set(s, 'post_start', opt(m, 'post_start', path, (x, p) => (x as unknown[]).map((e, i) => serviceHook(e, [...p, String(i)]))));
  set(s, 'pre_stop', opt(m, 'pre_stop', path, (x, p) => (x as unknown[]).map((e, i) => serviceHook(e, [...p, String(i)]))));
  set(s, 'extensions', extensionsOf(m));
  return s;
}

function toNetwork(key: string, v: unknown, path: P): M.NetworkConfig {
  const m = isMapping(v) ? v : {};
  const n: M.NetworkConfig = { name: str(m.name ?? key, [...path, 'name']) };
  set(n, 'driver', opt(m, 'driver', path, str));
  set(n, 'driver_opts', opt(m, 'driver_opts', path, stringMapping));
  set(n, 'ipam', opt(m, 'ipam', path, (x, p) => {
    const im = mapping(x, p);
    const ipam: NonNullable<M.NetworkConfig['ipam']> = {};
    set(ipam, 'driver', opt(im, 'driver', p, str));
    set(ipam, 'config', opt(im, 'config', p, (y, q) =>
      (y as unknown[]).map((e, i) => {
        const cm = mapping(e, [...q, String(i)]);
        const pool: M.IpamPool = {};
        set(pool, 'subnet', opt(cm, 'subnet', [...q, String(i)], str));
        set(pool, 'gateway', opt(cm, 'gateway', [...q, String(i)], str));
        set(pool, 'ip_range', opt(cm, 'ip_range', [...q, String(i)], str));
        set(pool, 'aux_addresses', opt(cm, 'aux_addresses', [...q, String(i)], stringMapping));
        set(pool, 'extensions', extensionsOf(cm));
        return pool;
      }),
    ));
    set(ipam, 'options', opt(im, 'options', p, stringMapping));
    set(ipam, 'extensions', extensionsOf(im));
    return ipam;
  }));
  set(n, 'external', opt(m, 'external', path, bool));
  set(n, 'internal', opt(m, 'internal', path, bool));
  set(n, 'attachable', opt(m, 'attachable', path, bool));
  set(n, 'labels', opt(m, 'labels', path, stringMapping));
  set(n, 'enable_ipv4', opt(m, 'enable_ipv4', path, bool));
  set(n, 'enable_ipv6', opt(m, 'enable_ipv6', path, bool));
  set(n, 'extensions', extensionsOf(m));
  return n;
}

function toVolume(key: string, v: unknown, path: P): M.VolumeConfig {
  const m = isMapping(v) ? v : {};
  const vol: M.VolumeConfig = { name: str(m.name ?? key, [...path, 'name']) };
  set(vol, 'driver', opt(m, 'driver', path, str));
  set(vol, 'driver_opts', opt(m, 'driver_opts', path, stringMapping));
  set(vol, 'external', opt(m, 'external', path, bool));
  set(vol, 'labels', opt(m, 'labels', path, stringMapping));
  set(vol, 'extensions', extensionsOf(m));
  return vol;
}

function toFileObject(key: string, v: unknown, path: P): M.FileObjectConfig {
  const m = isMapping(v) ? v : {};
  const f: M.FileObjectConfig = { name: str(m.name ?? key, [...path, 'name']) };
  set(f, 'file', opt(m, 'file', path, str));
  set(f, 'environment', opt(m, 'environment', path, str));
  set(f, 'content', opt(m, 'content', path, str));
  set(f, 'external', opt(m, 'external', path, bool));
  set(f, 'labels', opt(m, 'labels', path, stringMapping));
  set(f, 'driver', opt(m, 'driver', path, str));
  set(f, 'driver_opts', opt(m, 'driver_opts', path, stringMapping));
  set(f, 'template_driver', opt(m, 'template_driver', path, str));
  set(f, 'extensions', extensionsOf(m));
  return f;
}

function toModelConfig(v: unknown, path: P): M.ModelConfig {
  const m = mapping(v, path);
  const mc: M.ModelConfig = { model: str(m.model, [...path, 'model']) };
  set(mc, 'name', opt(m, 'name', path, str));
  set(mc, 'context_size', opt(m, 'context_size', path, int));
  set(mc, 'runtime_flags', opt(m, 'runtime_flags', path, strings));
  set(mc, 'extensions', extensionsOf(m));
  return mc;
}

export type ProjectMeta = Pick<M.ComposeProject, 'name' | 'workingDir' | 'composeFiles' | 'environment' | 'envFiles'>;

/** Decodes a normalized model; every service starts enabled (profiles are applied after). */
export function toProject(model: Mapping, meta: ProjectMeta): M.ComposeProject {
  const project: M.ComposeProject = {
    ...meta,
    profiles: [],
    services: {},
    disabledServices: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    models: {},
  };
  const each = (key: string, fn: (name: string, v: unknown, path: P) => void) => {
    const section = model[key];
    if (isMapping(section)) for (const [name, v] of Object.entries(section)) fn(name, v, [key, name]);
  };
  each('services', (name, v, p) => (project.services[name] = toService(name, v, p)));
  each('networks', (name, v, p) => (project.networks[name] = toNetwork(name, v, p)));
  each('volumes', (name, v, p) => (project.volumes[name] = toVolume(name, v, p)));
  each('secrets', (name, v, p) => (project.secrets[name] = toFileObject(name, v, p)));
  each('configs', (name, v, p) => (project.configs[name] = toFileObject(name, v, p)));
  each('models', (name, v, p) => (project.models[name] = toModelConfig(v, p)));
  set(project, 'extensions', extensionsOf(model));
  return project;
}
