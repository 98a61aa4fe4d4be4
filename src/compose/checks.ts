// Rules the JSON Schema cannot state: exclusive attributes, references to undefined networks,
// volumes, secrets and services, dependency cycles, unique container names. Two passes as in
// compose-go: one on the merged plain data, one on the typed project.
import { isIP } from 'node:net';
import { InvalidArgument } from '../errors/index.ts';
import { checkDependencyCycles } from './graph.ts';
import { serviceScale, type ComposeProject } from './model.ts';
import { ITEM, findRule, formatPath, isMapping, rules, sortedKeys, type TreePath } from './tree.ts';

const invalid = (message: string) => new InvalidArgument(`${message}: invalid compose project`);

type Check = (value: unknown, path: TreePath) => void;

function fileObject(...keys: string[]): Check {
  return (value, path) => {
    if (!isMapping(value)) return;
    const count = keys.filter((k) => k in value).length;
    if (count > 1) throw new InvalidArgument(`${formatPath(path)}: ${keys.join('|')} attributes are mutually exclusive`);
    if (count === 0 && !('driver' in value) && !('external' in value)) {
      throw new InvalidArgument(`${formatPath(path)}: one of ${keys.join('|')} must be set`);
    }
  };
}

const checkVolume: Check = (value, path) => {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) throw new InvalidArgument(`expected volume, got ${String(value)}`);
  if (value.external !== true) return;
  for (const k of Object.keys(value)) {
    if (k === 'name' || k === 'external' || k.startsWith('x-')) continue;
    throw new InvalidArgument(`${formatPath(path)}: conflicting parameters "external" and ${JSON.stringify(k)} specified`);
  }
};

const checkDeviceRequest: Check = (value, path) => {
  if (isMapping(value) && 'count' in value && 'device_ids' in value) {
    throw new InvalidArgument(`${formatPath(path)}: "count" and "device_ids" attributes are exclusive`);
  }
};

const modelChecks = rules<Check>({
  'volumes.*': checkVolume,
  'configs.*': fileObject('file', 'environment', 'content'),
  'secrets.*': fileObject('file', 'environment'),
  [`services.*.ports.${ITEM}`]: (value, path) => {
    if (isMapping(value) && typeof value.host_ip === 'string' && isIP(value.host_ip) === 0) {
      throw new InvalidArgument(`${formatPath(path)}: invalid ip address: ${value.host_ip}`);
    }
  },
  [`services.*.develop.watch.${ITEM}.path`]: (value, path) => {
    if (value === '') throw new InvalidArgument(`${formatPath(path)}: value can't be blank`);
  },
  [`services.*.deploy.resources.reservations.devices.${ITEM}`]: checkDeviceRequest,
  [`services.*.gpus.${ITEM}`]: checkDeviceRequest,
});

/** compose-go's validation.Validate, on the merged model (before it is typed). */
export function checkModel(model: Record<string, unknown>): void {
  const walk = (value: unknown, path: string[]): void => {
    const check = findRule(modelChecks, path);
    if (check) return check(value, path);
    if (Array.isArray(value)) value.forEach((v) => walk(v, [...path, ITEM]));
    else if (isMapping(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(model, []);
}

/** compose-go's checkConsistency, on the typed project with its profiles applied. */
export function checkConsistency(project: ComposeProject): void {
  for (const name of sortedKeys(project.services)) {
    const s = project.services[name];
    if (!s.build && s.image === undefined && !s.provider) {
      throw invalid(`service ${JSON.stringify(name)} has neither an image nor a build context specified`);
    }
    if (s.build) {
      if (s.build.dockerfile_inline !== undefined && s.build.dockerfile !== undefined && s.build.dockerfile_inline !== '' && s.build.dockerfile !== '') {
        throw invalid(`service ${JSON.stringify(name)} declares mutualy exclusive dockerfile and dockerfile_inline`);
      }
      for (const [ctx, value] of Object.entries(s.build.additional_contexts ?? {})) {
        if (!value.startsWith('service:')) continue;
        const target = value.slice('service:'.length);
        const t = project.services[target];
        if (!t) throw new InvalidArgument(`service ${JSON.stringify(name)} declares unknown service ${JSON.stringify(target)} as additional contexts ${ctx}`);
        if (!t.build) throw new InvalidArgument(`service ${JSON.stringify(name)} declares non-buildable service ${JSON.stringify(target)} as additional contexts ${ctx}`);
      }
      if (s.build.platforms && s.platform && !s.build.platforms.includes(s.platform)) {
        throw invalid(`service.build.platforms MUST include service.platform ${JSON.stringify(s.platform)}`);
      }
    }
    if (s.network_mode !== undefined && s.network_mode !== '' && Object.keys(s.networks ?? {}).length > 0) {
      throw invalid(`service ${name} declares mutually exclusive \`network_mode\` and \`networks\``);
    }
    for (const net of sortedKeys(s.networks)) {
      if (!project.networks[net]) throw invalid(`service ${JSON.stringify(name)} refers to undefined network ${net}`);
    }
    const test = s.healthcheck?.test;
    if (test && test.length > 0 && !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0])) {
      throw new InvalidArgument('healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"');
    }
    for (const [dep, cfg] of Object.entries(s.depends_on ?? {})) {
      if (project.services[dep]) continue;
      if (project.disabledServices[dep] && !cfg.required) continue;
      throw invalid(`service ${JSON.stringify(name)} depends on undefined service ${JSON.stringify(dep)}`);
    }
    if (s.network_mode?.startsWith('service:')) {
      const ref = s.network_mode.slice('service:'.length);
      if (!project.services[ref]) throw new InvalidArgument(`service ${JSON.stringify(ref)} not found for network_mode 'service:${ref}'`);
    }
    for (const v of s.volumes ?? []) {
      if (v.type === 'volume' && v.source && !project.volumes[v.source]) {
        throw invalid(`service ${JSON.stringify(name)} refers to undefined volume ${v.source}`);
      }
    }
    for (const secret of s.build?.secrets ?? []) {
      if (!project.secrets[secret.source]) throw invalid(`service ${JSON.stringify(name)} refers to undefined build secret ${secret.source}`);
    }
    for (const config of s.configs ?? []) {
      if (!project.configs[config.source]) throw invalid(`service ${JSON.stringify(name)} refers to undefined config ${config.source}`);
    }
    for (const model of sortedKeys(s.models)) {
      if (!project.models[model]) throw invalid(`service ${JSON.stringify(name)} refers to undefined model ${model}`);
    }
    for (const secret of s.secrets ?? []) {
      if (!project.secrets[secret.source]) throw invalid(`service ${JSON.stringify(name)} refers to undefined secret ${secret.source}`);
    }
    if (s.scale !== undefined && s.deploy) {
      if (s.deploy.replicas !== undefined && s.scale !== s.deploy.replicas) {
        throw invalid(`services.${name}: can't set distinct values on 'scale' and 'deploy.replicas'`);
      }
      s.deploy.replicas = s.scale;
    }
    if (s.scale !== undefined && s.scale < 0) throw new InvalidArgument(`services.${name}.scale: must be greater than or equal to 0`);
    if (s.deploy?.replicas !== undefined && s.deploy.replicas < 0) {
      throw new InvalidArgument(`services.${name}.deploy.replicas: must be greater than or equal to 0`);
    }
    const limits = s.deploy?.resources?.limits;
    if (s.cpus !== undefined && s.cpus !== 0 && limits && (limits.cpus ?? 0) !== s.cpus) {
      throw invalid(`services.${name}: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'`);
    }
    if (s.mem_limit !== undefined && s.mem_limit !== 0 && limits && (limits.memory ?? 0) !== s.mem_limit) {
      throw invalid(`services.${name}: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'`);
    }
    const reservations = s.deploy?.resources?.reservations;
    if (s.mem_reservation !== undefined && s.mem_reservation !== 0 && reservations && (reservations.memory ?? 0) !== s.mem_reservation) {
      throw invalid(`services.${name}: can't set distinct values on 'mem_reservation' and 'deploy.resources.reservations.memory'`);
    }
    if (s.pids_limit !== undefined && s.pids_limit !== 0 && limits && (limits.pids ?? 0) !== s.pids_limit) {
      throw invalid(`services.${name}: can't set distinct values on 'pids_limit' and 'deploy.resources.limits.pids'`);
    }
    if (serviceScale(s) > 1 && s.container_name) {
      const attr = s.scale === undefined ? 'deploy.replicas' : 'scale';
      throw invalid(`services.${name}: can't set container_name and ${attr} as container name must be unique`);
    }
    for (const w of s.develop?.watch ?? []) {
      if (!w.target && w.action !== 'rebuild' && w.action !== 'restart') {
        throw invalid(`services.${name}.develop.watch: target is required for non-rebuild actions`);
      }
    }
    const mounts = new Map<string, string>();
    (s.tmpfs ?? []).forEach((t, i) => {
      const loc = `services.${name}.tmpfs[${i}]`;
      const target = t.split(':')[0];
      const seen = mounts.get(target);
      if (seen) throw new InvalidArgument(`${loc}: target ${target} already mounted as ${seen}`);
      mounts.set(target, loc);
    });
    (s.volumes ?? []).forEach((v, i) => {
      const loc = `services.${name}.volumes[${i}]`;
      const seen = mounts.get(v.target);
      if (seen) throw new InvalidArgument(`${loc}: target ${v.target} already mounted as ${seen}`);
      mounts.set(v.target, loc);
    });
  }
  for (const name of sortedKeys(project.secrets)) {
    const secret = project.secrets[name];
    if (secret.external) continue;
    if (!secret.file && !secret.environment) throw invalid(`secret ${JSON.stringify(name)} must declare either \`file\` or \`environment\``);
  }
  checkDependencyCycles(project.services);
  checkContainerNames(project);
}

/** Two services cannot share a container_name. */
export function checkContainerNames(project: ComposeProject): void {
  const names = new Map<string, string>();
  for (const name of sortedKeys(project.services)) {
    const cn = project.services[name].container_name;
    if (!cn) continue;
    const existing = names.get(cn);
    if (existing) throw new InvalidArgument(`services.${name}: container name ${JSON.stringify(cn)} is already in use by service ${existing}`);
    names.set(cn, name);
  }
}

