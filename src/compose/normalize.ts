// Normalization of the merged model, as compose-go does it: the implicit `default` network,
// dependencies implied by links / network_mode / volumes_from, build defaults, values taken from
// the environment for bare `KEY` entries, resource names (`<project>_<key>`), and the keys that
// only have one place in the canonical model.
import { cleanPath } from './short-syntax.ts';
import { isMapping, type Mapping } from './tree.ts';
import type { Lookup } from './interpolate.ts';

function started(restart: boolean): Mapping {
  return { condition: 'service_started', restart, required: true };
}

export function normalizeModel(model: Mapping, options: { projectName: string; lookup: Lookup }): Mapping {
  model.name = options.projectName;
  normalizeNetworks(model);
  const services = isMapping(model.services) ? model.services : {};
  for (const service of Object.values(services)) {
    if (!isMapping(service)) continue;
    if (service.pull_policy === 'if_not_present') service.pull_policy = 'missing';
    if (isMapping(service.build)) {
      const build = service.build;
      if (build.context === undefined || build.context === null) build.context = '.';
      if (build.dockerfile === undefined && build.dockerfile_inline === undefined) build.dockerfile = 'Dockerfile';
      if (build.args !== undefined) build.args = resolveFromEnv(build.args, options.lookup, false);
    }
    if (service.environment !== undefined) service.environment = resolveFromEnv(service.environment, options.lookup, true);

    const dependsOn: Mapping = isMapping(service.depends_on) ? service.depends_on : {};
    if (Array.isArray(service.links)) {
      for (const link of service.links) {
        const parts = String(link).split(':');
        const name = parts.length === 2 ? parts[0] : String(link);
        if (!(name in dependsOn)) dependsOn[name] = started(true);
      }
    }
    for (const ns of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
      const ref = service[ns];
      if (typeof ref === 'string' && ref.startsWith('service:')) {
        const shared = ref.slice('service:'.length);
        if (!(shared in dependsOn)) dependsOn[shared] = started(true);
      }
    }
    if (Array.isArray(service.volumes)) {
      for (const v of service.volumes) if (isMapping(v) && typeof v.target === 'string') v.target = cleanPath(v.target);
    }
    if (Array.isArray(service.volumes_from)) {
      for (const v of service.volumes_from) {
        const s = String(v);
        if (s.startsWith('container:')) continue;
        const name = s.split(':')[0];
        if (!(name in dependsOn)) dependsOn[name] = started(false);
      }
    }
    if (Object.keys(dependsOn).length > 0) service.depends_on = dependsOn;
  }
  setNameFromKey(model);
  return model;
}

function normalizeNetworks(model: Mapping): void {
  const networks: Mapping = isMapping(model.networks) ? model.networks : {};
  let usesDefault = false;
  const services = isMapping(model.services) ? model.services : {};
  for (const service of Object.values(services)) {
    if (!isMapping(service) || 'provider' in service || 'network_mode' in service) continue;
    const nets = service.networks;
    if (!isMapping(nets) || Object.keys(nets).length === 0) {
      // A service that names no network is on the project's default network.
      service.networks = { default: null };
      usesDefault = true;
    } else if ('default' in nets) usesDefault = true;
  }
  if (usesDefault && !('default' in networks)) networks.default = null;
  if (Object.keys(networks).length > 0) model.networks = networks;
}

/** `KEY` without a value takes the variable's value when it is set (environment keeps it unset otherwise). */
function resolveFromEnv(value: unknown, lookup: Lookup, keepUnset: boolean): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      if (typeof v !== 'string' || v.includes('=')) {
        out.push(v);
        continue;
      }
      const found = lookup(v);
      if (found !== undefined) out.push(`${v}=${found}`);
      else if (keepUnset) out.push(v);
    }
    return out;
  }
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) {
        out[k] = v;
        continue;
      }
      const found = lookup(k);
      if (found !== undefined) out[k] = found;
      else if (keepUnset) out[k] = null;
    }
    return out;
  }
  return value;
}

function setNameFromKey(model: Mapping): void {
  for (const kind of ['networks', 'volumes', 'configs', 'secrets']) {
    const resources = model[kind];
    if (!isMapping(resources)) continue;
    for (const [key, r] of Object.entries(resources)) {
      const resource: Mapping = isMapping(r) ? r : {};
      if (resource.name === undefined || resource.name === null) {
        const external = resource.external === true || resource.external === 'true';
        resource.name = external ? key : `${String(model.name)}_${key}`;
      }
      resources[key] = resource;
    }
  }
}
