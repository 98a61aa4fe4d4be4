// `compose config`: the normalized project as YAML in Compose v2's layout — keys in compose-go's
// order, defaults filled in, ports and volumes in long syntax, durations as Go prints them ("30s",
// "1m30s"), sizes as byte counts in strings, and `$` escaped as `$$` so the output loads again
// as it is. Also the one-per-line listings (--services, --volumes, --networks, --images…).
import YAML from 'yaml';
import { NotFound } from '../errors/index.ts';
import { formatGoDuration } from '../lib/index.ts';
import { dependencyOrder } from './graph.ts';
import { serviceConfigHash } from './hash.ts';
import * as M from './model.ts';
import { sortedKeys } from './tree.ts';

type Out = Record<string, unknown>;

/** Sets key only when there is something to show (compose's `omitempty`). */
function put(o: Out, key: string, value: unknown): void {
  if (value === undefined) return;
  o[key] = value;
}

const dur = (ns: number | undefined) => (ns === undefined ? undefined : formatGoDuration(Math.round(ns)));
const size = (bytes: number | undefined) => (bytes === undefined || bytes === 0 ? undefined : String(bytes));
const nonEmpty = <T>(list: T[] | undefined) => (list && list.length > 0 ? list : undefined);
const trueOnly = (b: boolean | undefined) => (b ? true : undefined);
const sortedMap = <V>(m: Record<string, V> | undefined) => {
  if (!m || Object.keys(m).length === 0) return undefined;
  const out: Record<string, V> = {};
  for (const k of sortedKeys(m)) out[k] = m[k];
  return out;
};

function withExtensions(o: Out, ext: M.Extensions | undefined): Out {
  for (const k of sortedKeys(ext)) o[k] = ext?.[k];
  return o;
}

function ulimits(u: Record<string, M.UlimitConfig> | undefined): Out | undefined {
  if (!u) return undefined;
  const out: Out = {};
  for (const k of sortedKeys(u)) out[k] = u[k].single !== undefined && u[k].single !== 0 ? u[k].single : { soft: u[k].soft ?? 0, hard: u[k].hard ?? 0 };
  return out;
}

function extraHosts(h: Record<string, string[]> | undefined): string[] | undefined {
  if (!h) return undefined;
  const list: string[] = [];
  for (const [host, ips] of Object.entries(h)) for (const ip of ips) list.push(`${host}=${ip}`);
  return nonEmpty(list.sort());
}

function fileRefs(refs: M.FileReference[] | undefined): Out[] | undefined {
  return nonEmpty(
    refs?.map((r) => {
      const o: Out = {};
      put(o, 'source', r.source || undefined);
      put(o, 'target', r.target || undefined);
      put(o, 'uid', r.uid || undefined);
      put(o, 'gid', r.gid || undefined);
      put(o, 'mode', r.mode === undefined ? undefined : `0${r.mode.toString(8)}`);
      return withExtensions(o, r.extensions);
    }),
  );
}

function hook(h: M.ServiceHook): Out {
  const o: Out = {};
  put(o, 'command', h.command);
  put(o, 'user', h.user || undefined);
  put(o, 'privileged', trueOnly(h.privileged));
  put(o, 'working_dir', h.working_dir || undefined);
  put(o, 'environment', sortedMap(h.environment));
  return withExtensions(o, h.extensions);
}

function deviceRequest(d: M.DeviceRequest): Out {
  const o: Out = {};
  put(o, 'capabilities', nonEmpty(d.capabilities));
  put(o, 'driver', d.driver || undefined);
  put(o, 'count', d.count === undefined || d.count === 0 ? undefined : d.count === -1 ? 'all' : d.count);
  put(o, 'device_ids', nonEmpty(d.device_ids));
  put(o, 'options', sortedMap(d.options));
  return o;
}

function build(b: M.BuildConfig): Out {
  const o: Out = {};
  put(o, 'context', b.context || undefined);
  put(o, 'dockerfile', b.dockerfile || undefined);
  put(o, 'dockerfile_inline', b.dockerfile_inline || undefined);
  put(o, 'entitlements', nonEmpty(b.entitlements));
  put(o, 'args', sortedMap(b.args));
  put(o, 'provenance', b.provenance || undefined);
  put(o, 'sbom', b.sbom || undefined);
  put(o, 'ssh', b.ssh && Object.keys(b.ssh).length > 0 ? sortedKeys(b.ssh).map((k) => (b.ssh?.[k] ? `${k}=${b.ssh[k]}` : k)) : undefined);
  put(o, 'labels', sortedMap(b.labels));
  put(o, 'cache_from', nonEmpty(b.cache_from));
  put(o, 'cache_to', nonEmpty(b.cache_to));
  put(o, 'no_cache', trueOnly(b.no_cache));
  put(o, 'additional_contexts', sortedMap(b.additional_contexts));
  put(o, 'pull', trueOnly(b.pull));
  put(o, 'extra_hosts', extraHosts(b.extra_hosts));
  put(o, 'isolation', b.isolation || undefined);
  put(o, 'network', b.network || undefined);
  put(o, 'target', b.target || undefined);
  put(o, 'secrets', fileRefs(b.secrets));
  put(o, 'shm_size', size(b.shm_size));
  put(o, 'tags', nonEmpty(b.tags));
  put(o, 'ulimits', ulimits(b.ulimits));
  put(o, 'platforms', nonEmpty(b.platforms));
  put(o, 'privileged', trueOnly(b.privileged));
  return withExtensions(o, b.extensions);
}

function resource(r: M.Resource | undefined): Out | undefined {
  if (!r) return undefined;
  const o: Out = {};
  put(o, 'cpus', r.cpus || undefined);
  put(o, 'memory', size(r.memory));
  put(o, 'pids', r.pids || undefined);
  put(o, 'devices', nonEmpty(r.devices?.map(deviceRequest)));
  put(o, 'generic_resources', nonEmpty(r.generic_resources?.map((g) => {
    const go: Out = {};
    if (g.discrete_resource_spec) {
      const d: Out = {};
      put(d, 'kind', g.discrete_resource_spec.kind);
      put(d, 'value', g.discrete_resource_spec.value);
      go.discrete_resource_spec = withExtensions(d, g.discrete_resource_spec.extensions);
    }
    return withExtensions(go, g.extensions);
  })));
  return withExtensions(o, r.extensions);
}

function updateConfig(u: M.UpdateConfig | undefined): Out | undefined {
  if (!u) return undefined;
  const o: Out = {};
  put(o, 'parallelism', u.parallelism);
  put(o, 'delay', u.delay ? dur(u.delay) : undefined);
  put(o, 'failure_action', u.failure_action || undefined);
  put(o, 'monitor', u.monitor ? dur(u.monitor) : undefined);
  put(o, 'max_failure_ratio', u.max_failure_ratio || undefined);
  put(o, 'order', u.order || undefined);
  return withExtensions(o, u.extensions);
}

function emptyToUndefined(o: Out | undefined): Out | undefined {
  return o && Object.keys(o).length > 0 ? o : undefined;
}

function deploy(d: M.DeployConfig): Out {
  const o: Out = {};
  put(o, 'mode', d.mode || undefined);
  put(o, 'replicas', d.replicas);
  put(o, 'labels', sortedMap(d.labels));
  put(o, 'update_config', updateConfig(d.update_config));
  put(o, 'rollback_config', updateConfig(d.rollback_config));
  if (d.resources) {
    const r: Out = {};
    put(r, 'limits', resource(d.resources.limits));
    put(r, 'reservations', resource(d.resources.reservations));
    put(o, 'resources', emptyToUndefined(withExtensions(r, d.resources.extensions)));
  }
  if (d.restart_policy) {
    const rp: Out = {};
    put(rp, 'condition', d.restart_policy.condition || undefined);
    put(rp, 'delay', dur(d.restart_policy.delay));
    put(rp, 'max_attempts', d.restart_policy.max_attempts);
    put(rp, 'window', dur(d.restart_policy.window));
    put(o, 'restart_policy', withExtensions(rp, d.restart_policy.extensions));
  }
  if (d.placement) {
    const p: Out = {};
    put(p, 'constraints', nonEmpty(d.placement.constraints));
    put(p, 'preferences', nonEmpty(d.placement.preferences?.map((x) => withExtensions(x.spread ? { spread: x.spread } : {}, x.extensions))));
    put(p, 'max_replicas_per_node', d.placement.max_replicas_per_node || undefined);
    put(o, 'placement', emptyToUndefined(withExtensions(p, d.placement.extensions)));
  }
  put(o, 'endpoint_mode', d.endpoint_mode || undefined);
  return withExtensions(o, d.extensions);
}

function port(p: M.ServicePortConfig): Out {
  const o: Out = {};
  put(o, 'name', p.name || undefined);
  put(o, 'mode', p.mode || undefined);
  put(o, 'host_ip', p.host_ip || undefined);
  put(o, 'target', p.target || undefined);
  put(o, 'published', p.published || undefined);
  put(o, 'protocol', p.protocol || undefined);
  put(o, 'app_protocol', p.app_protocol || undefined);
  return withExtensions(o, p.extensions);
}

function volume(v: M.ServiceVolumeConfig): Out {
  const o: Out = {};
  put(o, 'type', v.type);
  put(o, 'source', v.source || undefined);
  put(o, 'target', v.target || undefined);
  put(o, 'read_only', trueOnly(v.read_only));
  put(o, 'consistency', v.consistency || undefined);
  if (v.bind) {
    const b: Out = {};
    put(b, 'selinux', v.bind.selinux || undefined);
    put(b, 'propagation', v.bind.propagation || undefined);
    // compose-go omits create_host_path when it is true (its default).
    put(b, 'create_host_path', v.bind.create_host_path ? undefined : false);
    put(b, 'recursive', v.bind.recursive || undefined);
    o.bind = withExtensions(b, v.bind.extensions);
  }
  if (v.volume) {
    const b: Out = {};
    put(b, 'labels', sortedMap(v.volume.labels));
    put(b, 'nocopy', trueOnly(v.volume.nocopy));
    put(b, 'subpath', v.volume.subpath || undefined);
    o.volume = withExtensions(b, v.volume.extensions);
  }
  if (v.tmpfs) {
    const b: Out = {};
    put(b, 'size', size(v.tmpfs.size));
    put(b, 'mode', v.tmpfs.mode || undefined);
    o.tmpfs = withExtensions(b, v.tmpfs.extensions);
  }
  if (v.image) o.image = withExtensions(v.image.subpath ? { subpath: v.image.subpath } : {}, v.image.extensions);
  return withExtensions(o, v.extensions);
}

function healthcheck(h: M.HealthCheckConfig): Out {
  const o: Out = {};
  put(o, 'test', nonEmpty(h.test));
  put(o, 'timeout', dur(h.timeout));
  put(o, 'interval', dur(h.interval));
  put(o, 'retries', h.retries);
  put(o, 'start_period', dur(h.start_period));
  put(o, 'start_interval', dur(h.start_interval));
  put(o, 'disable', trueOnly(h.disable));
  return withExtensions(o, h.extensions);
}

export function renderService(s: M.ServiceConfig): Out {
  const o: Out = {};
  put(o, 'profiles', nonEmpty(s.profiles));
  put(o, 'annotations', sortedMap(s.annotations));
  put(o, 'attach', s.attach);
  put(o, 'build', s.build ? build(s.build) : undefined);
  if (s.develop) {
    const d: Out = {};
    put(d, 'watch', nonEmpty(s.develop.watch?.map((w) => {
      const wo: Out = { path: w.path, action: w.action };
      put(wo, 'target', w.target || undefined);
      put(wo, 'exec', w.exec ? hook(w.exec) : undefined);
      put(wo, 'include', nonEmpty(w.include));
      put(wo, 'ignore', nonEmpty(w.ignore));
      put(wo, 'initial_sync', trueOnly(w.initial_sync));
      return withExtensions(wo, w.extensions);
    })));
    o.develop = withExtensions(d, s.develop.extensions);
  }
  if (s.blkio_config) {
    const b: Out = {};
    const rates = (l: Array<{ path: string; rate: number }> | undefined) => nonEmpty(l?.map((x) => ({ path: x.path, rate: x.rate })));
    put(b, 'weight', s.blkio_config.weight || undefined);
    put(b, 'weight_device', nonEmpty(s.blkio_config.weight_device?.map((x) => ({ path: x.path, weight: x.weight }))));
    put(b, 'device_read_bps', rates(s.blkio_config.device_read_bps));
    put(b, 'device_read_iops', rates(s.blkio_config.device_read_iops));
    put(b, 'device_write_bps', rates(s.blkio_config.device_write_bps));
    put(b, 'device_write_iops', rates(s.blkio_config.device_write_iops));
    o.blkio_config = b;
  }
  put(o, 'cap_add', nonEmpty(s.cap_add));
  put(o, 'cap_drop', nonEmpty(s.cap_drop));
  put(o, 'cgroup_parent', s.cgroup_parent || undefined);
  put(o, 'cgroup', s.cgroup || undefined);
  for (const k of ['cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus'] as const) put(o, k, s[k] || undefined);
  put(o, 'cpuset', s.cpuset || undefined);
  put(o, 'cpu_shares', s.cpu_shares || undefined);
  put(o, 'command', s.command);
  put(o, 'configs', fileRefs(s.configs));
  put(o, 'container_name', s.container_name || undefined);
  if (s.credential_spec) {
    const c: Out = {};
    put(c, 'config', s.credential_spec.config);
    put(c, 'file', s.credential_spec.file);
    put(c, 'registry', s.credential_spec.registry);
    o.credential_spec = withExtensions(c, s.credential_spec.extensions);
  }
  if (s.depends_on && Object.keys(s.depends_on).length > 0) {
    const d: Out = {};
    for (const k of sortedKeys(s.depends_on)) {
      const dep = s.depends_on[k];
      const x: Out = { condition: dep.condition };
      put(x, 'restart', trueOnly(dep.restart));
      withExtensions(x, dep.extensions);
      x.required = dep.required;
      d[k] = x;
    }
    o.depends_on = d;
  }
  put(o, 'deploy', s.deploy ? deploy(s.deploy) : undefined);
  put(o, 'device_cgroup_rules', nonEmpty(s.device_cgroup_rules));
  put(o, 'devices', nonEmpty(s.devices?.map((d) => withExtensions({ source: d.source, target: d.target, permissions: d.permissions }, d.extensions))));
  put(o, 'dns', nonEmpty(s.dns));
  put(o, 'dns_opt', nonEmpty(s.dns_opt));
  put(o, 'dns_search', nonEmpty(s.dns_search));
  put(o, 'domainname', s.domainname || undefined);
  put(o, 'entrypoint', s.entrypoint);
  if (s.provider) {
    const p: Out = { type: s.provider.type };
    put(p, 'options', sortedMap(s.provider.options));
    o.provider = withExtensions(p, s.provider.extensions);
  }
  put(o, 'environment', sortedMap(s.environment));
  put(o, 'env_file', nonEmpty(s.env_file?.map((f) => {
    const e: Out = { path: f.path };
    put(e, 'required', f.required ? undefined : false);
    put(e, 'format', f.format || undefined);
    return e;
  })));
  put(o, 'expose', nonEmpty(s.expose));
  put(o, 'external_links', nonEmpty(s.external_links));
  put(o, 'extra_hosts', extraHosts(s.extra_hosts));
  put(o, 'group_add', nonEmpty(s.group_add));
  put(o, 'gpus', nonEmpty(s.gpus?.map(deviceRequest)));
  put(o, 'hostname', s.hostname || undefined);
  put(o, 'healthcheck', s.healthcheck ? healthcheck(s.healthcheck) : undefined);
  put(o, 'image', s.image || undefined);
  put(o, 'init', s.init);
  put(o, 'ipc', s.ipc || undefined);
  put(o, 'isolation', s.isolation || undefined);
  put(o, 'labels', sortedMap(s.labels));
  put(o, 'label_file', nonEmpty(s.label_file));
  put(o, 'links', nonEmpty(s.links));
  if (s.logging) {
    const l: Out = {};
    put(l, 'driver', s.logging.driver || undefined);
    put(l, 'options', sortedMap(s.logging.options));
    o.logging = withExtensions(l, s.logging.extensions);
  }
  put(o, 'mem_limit', size(s.mem_limit));
  put(o, 'mem_reservation', size(s.mem_reservation));
  put(o, 'memswap_limit', size(s.memswap_limit));
  put(o, 'mem_swappiness', size(s.mem_swappiness));
  put(o, 'mac_address', s.mac_address || undefined);
  if (s.models && Object.keys(s.models).length > 0) {
    const m: Out = {};
    for (const k of sortedKeys(s.models)) {
      const v = s.models[k];
      if (v === null) {
        m[k] = null;
        continue;
      }
      const x: Out = {};
      put(x, 'endpoint_var', v.endpoint_var || undefined);
      put(x, 'model_var', v.model_var || undefined);
      m[k] = withExtensions(x, v.extensions);
    }
    o.models = m;
  }
  put(o, 'network_mode', s.network_mode || undefined);
  if (s.networks && Object.keys(s.networks).length > 0) {
    const n: Out = {};
    for (const k of sortedKeys(s.networks)) {
      const v = s.networks[k];
      if (v === null) {
        n[k] = null;
        continue;
      }
      const x: Out = {};
      put(x, 'aliases', nonEmpty(v.aliases));
      put(x, 'driver_opts', sortedMap(v.driver_opts));
      put(x, 'gw_priority', v.gw_priority || undefined);
      put(x, 'interface_name', v.interface_name || undefined);
      put(x, 'ipv4_address', v.ipv4_address || undefined);
      put(x, 'ipv6_address', v.ipv6_address || undefined);
      put(x, 'link_local_ips', nonEmpty(v.link_local_ips));
      put(x, 'mac_address', v.mac_address || undefined);
      put(x, 'priority', v.priority || undefined);
      n[k] = withExtensions(x, v.extensions);
    }
    o.networks = n;
  }
  put(o, 'oom_kill_disable', trueOnly(s.oom_kill_disable));
  put(o, 'oom_score_adj', s.oom_score_adj || undefined);
  put(o, 'pid', s.pid || undefined);
  put(o, 'pids_limit', s.pids_limit || undefined);
  put(o, 'platform', s.platform || undefined);
  put(o, 'ports', nonEmpty(s.ports?.map(port)));
  put(o, 'privileged', trueOnly(s.privileged));
  put(o, 'pull_policy', s.pull_policy || undefined);
  put(o, 'pull_refresh_after', s.pull_refresh_after || undefined);
  put(o, 'read_only', trueOnly(s.read_only));
  put(o, 'restart', s.restart || undefined);
  put(o, 'runtime', s.runtime || undefined);
  put(o, 'scale', s.scale);
  put(o, 'secrets', fileRefs(s.secrets));
  put(o, 'security_opt', nonEmpty(s.security_opt));
  put(o, 'shm_size', size(s.shm_size));
  put(o, 'stdin_open', trueOnly(s.stdin_open));
  put(o, 'stop_grace_period', dur(s.stop_grace_period));
  put(o, 'stop_signal', s.stop_signal || undefined);
  put(o, 'storage_opt', sortedMap(s.storage_opt));
  put(o, 'sysctls', sortedMap(s.sysctls));
  put(o, 'tmpfs', nonEmpty(s.tmpfs));
  put(o, 'tty', trueOnly(s.tty));
  put(o, 'ulimits', ulimits(s.ulimits));
  put(o, 'use_api_socket', trueOnly(s.use_api_socket));
  put(o, 'user', s.user || undefined);
  put(o, 'userns_mode', s.userns_mode || undefined);
  put(o, 'uts', s.uts || undefined);
  put(o, 'volumes', nonEmpty(s.volumes?.map(volume)));
  put(o, 'volumes_from', nonEmpty(s.volumes_from));
  put(o, 'working_dir', s.working_dir || undefined);
  put(o, 'post_start', nonEmpty(s.post_start?.map(hook)));
  put(o, 'pre_stop', nonEmpty(s.pre_stop?.map(hook)));
  return withExtensions(o, s.extensions);
}

function renderNetwork(n: M.NetworkConfig): Out {
  const o: Out = { name: n.name };
  put(o, 'driver', n.driver || undefined);
  put(o, 'driver_opts', sortedMap(n.driver_opts));
  if (n.ipam) {
    const i: Out = {};
    put(i, 'driver', n.ipam.driver || undefined);
    put(i, 'config', nonEmpty(n.ipam.config?.map((p) => {
      const po: Out = {};
      put(po, 'subnet', p.subnet || undefined);
      put(po, 'gateway', p.gateway || undefined);
      put(po, 'ip_range', p.ip_range || undefined);
      put(po, 'aux_addresses', sortedMap(p.aux_addresses));
      return withExtensions(po, p.extensions);
    })));
    put(i, 'options', sortedMap(n.ipam.options));
    put(o, 'ipam', emptyToUndefined(withExtensions(i, n.ipam.extensions)));
  }
  put(o, 'external', trueOnly(n.external));
  put(o, 'internal', trueOnly(n.internal));
  put(o, 'attachable', trueOnly(n.attachable));
  put(o, 'labels', sortedMap(n.labels));
  put(o, 'enable_ipv4', n.enable_ipv4);
  put(o, 'enable_ipv6', n.enable_ipv6);
  return withExtensions(o, n.extensions);
}

function renderVolume(v: M.VolumeConfig): Out {
  const o: Out = { name: v.name };
  put(o, 'driver', v.driver || undefined);
  put(o, 'driver_opts', sortedMap(v.driver_opts));
  put(o, 'external', trueOnly(v.external));
  put(o, 'labels', sortedMap(v.labels));
  return withExtensions(o, v.extensions);
}

function renderFileObject(f: M.FileObjectConfig, kind: 'secret' | 'config'): Out {
  const o: Out = { name: f.name };
  put(o, 'file', f.file || undefined);
  put(o, 'environment', f.environment || undefined);
  // A secret's content never appears; a config's only when it was written inline.
  if (kind === 'config' && !f.environment) put(o, 'content', f.content || undefined);
  put(o, 'external', trueOnly(f.external));
  put(o, 'labels', sortedMap(f.labels));
  put(o, 'driver', f.driver || undefined);
  put(o, 'driver_opts', sortedMap(f.driver_opts));
  put(o, 'template_driver', f.template_driver || undefined);
  return withExtensions(o, f.extensions);
}

/** The project as plain data in compose's layout (what `config --format json` would print). */
export function renderProject(project: M.ComposeProject, options: { discardEnvFiles?: boolean } = {}): Out {
  const o: Out = { name: project.name };
  const services: Out = {};
  for (const name of sortedKeys(project.services)) {
    const s = options.discardEnvFiles ? { ...project.services[name], env_file: undefined } : project.services[name];
    services[name] = renderService(s);
  }
  o.services = services;
  const section = <T>(key: string, m: Record<string, T>, render: (v: T) => Out) => {
    if (Object.keys(m).length === 0) return;
    const out: Out = {};
    for (const k of sortedKeys(m)) out[k] = render(m[k]);
    o[key] = out;
  };
  section('networks', project.networks, renderNetwork);
  section('volumes', project.volumes, renderVolume);
  section('secrets', project.secrets, (f) => renderFileObject(f, 'secret'));
  section('configs', project.configs, (f) => renderFileObject(f, 'config'));
  section('models', project.models, (m) => {
    const mo: Out = {};
    put(mo, 'name', m.name || undefined);
    put(mo, 'model', m.model);
    put(mo, 'context_size', m.context_size || undefined);
    put(mo, 'runtime_flags', nonEmpty(m.runtime_flags));
    return withExtensions(mo, m.extensions);
  });
  return withExtensions(o, project.extensions);
}

// go-yaml double-quotes the strings a YAML 1.1 reader would take for booleans or sexagesimal
// numbers ("yes", "off", "12:30"); the yaml package, being 1.2, would leave them plain.
const oldBools = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF']);
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function quoteLikeGoYaml(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!oldBools.has(value) && !base60Float.test(value)) return value;
    const scalar = new YAML.Scalar(value);
    scalar.type = 'QUOTE_DOUBLE';
    return scalar;
  }
  if (Array.isArray(value)) return value.map(quoteLikeGoYaml);
  if (value !== null && typeof value === 'object') {
    const out: Out = {};
    for (const [k, v] of Object.entries(value)) out[k] = quoteLikeGoYaml(v);
    return out;
  }
  return value;
}

/** `compose config` output: YAML, `$` escaped as `$$` (interpolation already happened). */
export function configYaml(project: M.ComposeProject, options: { interpolated?: boolean } = {}): string {
  const rendered = quoteLikeGoYaml(renderProject(project, { discardEnvFiles: true }));
  const text = YAML.stringify(rendered, { indent: 2, lineWidth: 0, minContentWidth: 0 });
  return options.interpolated === false ? text : text.replace(/\$/g, '$$$$');
}

/** `config --services`: dependencies first. */
export function configServices(project: M.ComposeProject): string[] {
  return dependencyOrder(project.services);
}

export function configVolumes(project: M.ComposeProject): string[] {
  return sortedKeys(project.volumes);
}

export function configNetworks(project: M.ComposeProject): string[] {
  return sortedKeys(project.networks);
}

export function configImages(project: M.ComposeProject): string[] {
  return sortedKeys(project.services).map((n) => M.serviceImage(project.services[n], project.name));
}

export function configProfiles(project: M.ComposeProject): string[] {
  const all = new Set<string>();
  for (const s of [...Object.values(project.services), ...Object.values(project.disabledServices)]) for (const p of s.profiles ?? []) all.add(p);
  return [...all].sort();
}

/** `config --hash "*"` / `--hash a,b`: "<service> <config hash>" lines. */
export function configHashes(project: M.ComposeProject, services: readonly string[]): string[] {
  const names = services.length === 0 || services.includes('*') ? sortedKeys(project.services) : [...services];
  return names.map((n) => {
    const s = project.services[n];
    if (!s) throw new NotFound(`no such service: ${n}`);
    return `${n} ${serviceConfigHash(s)}`;
  });
}
