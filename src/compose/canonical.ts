// Canonical form: every short spelling replaced by the long one compose-go uses (build string →
// {context}, depends_on list → mapping with conditions, ports and volumes in long syntax…), then
// the defaults compose fills in. Runs on plain data after each file is merged and validated.
import { InvalidArgument } from '../errors/index.ts';
import { parsePortShort, parseVolumeShort } from './short-syntax.ts';
import { ITEM, findRule, formatPath, isMapping, rules, type Mapping, type TreePath } from './tree.ts';
import { goString } from './merge.ts';

type Transform = (data: unknown, path: TreePath, warn: (m: string) => void, options: CanonicalOptions) => unknown;

export interface CanonicalOptions {
  /**
   * Keep a short syntax that does not parse as written (compose-go's ignoreParseError): with
   * interpolation off (`config --no-interpolate`), "${PORT}:80" is not a port yet.
   */
  ignoreParseError?: boolean;
}

const stringOrList: Transform = (d) => (typeof d === 'string' ? [d] : d);

const stringSliceToMap: Transform = (d) => {
  if (!Array.isArray(d)) return d;
  const out: Mapping = {};
  for (const k of d) out[String(k)] = null;
  return out;
};

const fileMount: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (typeof d === 'string') return { source: d };
  throw new InvalidArgument(`${formatPath(path)}: unsupported type ${typeof d}`);
};

const stringOrX: Transform = (d) => (typeof d === 'string' ? d : goString(d));

const keyValue: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (!Array.isArray(d)) throw new InvalidArgument(`${formatPath(path)}: invalid type`);
  const out: Mapping = {};
  for (const e of d) {
    const s = String(e);
    const eq = s.indexOf('=');
    if (eq < 0) throw new InvalidArgument(`${formatPath(path)}: invalid value ${s}, expected key=value`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
};

const dependsOn: Transform = (d, path) => {
  if (Array.isArray(d)) {
    const out: Mapping = {};
    for (const k of d) out[String(k)] = { condition: 'service_started', required: true };
    return out;
  }
  if (!isMapping(d)) throw new InvalidArgument(`${formatPath(path)}: invalid type for depend_on`);
  for (const [k, e] of Object.entries(d)) {
    if (!isMapping(e)) throw new InvalidArgument(`${formatPath(path)}.${k}: unsupported value`);
    e.condition ??= 'service_started';
    e.required ??= true;
  }
  return d;
};

const envFile: Transform = (d, path) => {
  const one = (v: unknown): unknown => {
    if (typeof v === 'string') return { path: v, required: true };
    if (isMapping(v)) {
      v.required ??= true;
      return v;
    }
    return null;
  };
  if (typeof d === 'string') return [one(d)];
  if (Array.isArray(d)) return d.map(one);
  throw new InvalidArgument(`${formatPath(path)}: invalid type for env_file`);
};

const extendsRef: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (typeof d === 'string') return { service: d };
  throw new InvalidArgument(`${formatPath(path)}: invalid type for extends`);
};

const gpus: Transform = (d) => (typeof d === 'string' ? [{ count: 'all' }] : d);

const volumeMount: Transform = (d, path, _warn, options) => {
  if (isMapping(d)) return d;
  if (typeof d === 'string') {
    try {
      return parseVolumeShort(d);
    } catch (err) {
      if (options.ignoreParseError) return d;
      throw err;
    }
  }
  throw new InvalidArgument(`${formatPath(path)}: invalid type for service volume mount`);
};

const deviceMapping: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (typeof d !== 'string') throw new InvalidArgument(`${formatPath(path)}: invalid type for service volume mount`);
  const parts = d.split(':');
  if (parts.length > 3) throw new InvalidArgument(`confusing device mapping, please use long syntax: ${d}`);
  const [source, target = '', permissions = 'rwm'] = parts;
  return { source, target: target === '' ? source : target, permissions };
};

const ports: Transform = (d, path, _warn, options) => {
  if (!Array.isArray(d)) throw new InvalidArgument(`${formatPath(path)}: invalid type for port`);
  const out: unknown[] = [];
  for (const entry of d) {
    if (typeof entry === 'number' || typeof entry === 'string') {
      try {
        out.push(...parsePortShort(String(entry)));
      } catch (err) {
        if (!options.ignoreParseError) throw err;
        out.push(entry);
      }
    }
    else if (isMapping(entry)) out.push(entry);
    else throw new InvalidArgument(`${formatPath(path)}: invalid type for port`);
  }
  return out;
};

const build: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (typeof d === 'string') return { context: d };
  throw new InvalidArgument(`${formatPath(path)}: invalid type for build`);
};

const ssh: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (!Array.isArray(d)) throw new InvalidArgument(`${formatPath(path)}: invalid type for ssh`);
  const out: Mapping = {};
  for (const e of d) {
    const s = String(e);
    const eq = s.indexOf('=');
    if (eq < 0) {
      if (s !== 'default') throw new InvalidArgument(`invalid ssh key ${JSON.stringify(s)}`);
      out[s] = null;
      continue;
    }
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
};

const maybeExternal: Transform = (d, path, warn) => {
  if (d === null || d === undefined) return null;
  if (!isMapping(d)) return d;
  const ext = d.external;
  if (isMapping(ext)) {
    d.external = true;
    if ('name' in ext) {
      warn(`${formatPath(path)}: external.name is deprecated. Please set name and external: true`);
      if ('name' in d && ext.name !== d.name) throw new InvalidArgument(`${formatPath(path)}: name and external.name conflict; only use name`);
      d.name ??= ext.name;
    }
  }
  return d;
};

const include: Transform = (d, path) => {
  if (isMapping(d)) return d;
  if (typeof d === 'string') return { path: d };
  throw new InvalidArgument(`${formatPath(path)}: invalid type for include`);
};

// Transforms hold for the node at their path; the walk continues below only where a transform
// hands back a collection it did not fully rewrite (services, build, extends, ulimits…).
const transforms = rules<Transform>({
  [`services.*.build.secrets.${ITEM}`]: fileMount,
  'services.*.build.provenance': stringOrX,
  'services.*.build.sbom': stringOrX,
  'services.*.build.additional_contexts': keyValue,
  'services.*.depends_on': dependsOn,
  'services.*.env_file': envFile,
  'services.*.label_file': stringOrList,
  'services.*.extends': extendsRef,
  'services.*.gpus': gpus,
  'services.*.networks': stringSliceToMap,
  'services.*.models': stringSliceToMap,
  [`services.*.volumes.${ITEM}`]: volumeMount,
  'services.*.dns': stringOrList,
  [`services.*.devices.${ITEM}`]: deviceMapping,
  [`services.*.secrets.${ITEM}`]: fileMount,
  [`services.*.configs.${ITEM}`]: fileMount,
  'services.*.ports': ports,
  'services.*.build': build,
  'services.*.build.ssh': ssh,
  [`services.*.develop.watch.${ITEM}.ignore`]: stringOrList,
  [`services.*.develop.watch.${ITEM}.include`]: stringOrList,
  'volumes.*': maybeExternal,
  'networks.*': maybeExternal,
  'secrets.*': maybeExternal,
  'configs.*': maybeExternal,
  [`include.${ITEM}`]: include,
});

// After a transform, these collections still have parts to canonicalize below them.
const descendAfter = new Set(['services.*.build', 'services.*.extends', 'volumes.*', 'networks.*', 'secrets.*', 'configs.*']);

export function canonical(doc: Mapping, warn: (m: string) => void, options: CanonicalOptions = {}): Mapping {
  const walk = (data: unknown, path: string[]): unknown => {
    const t = findRule(transforms, path);
    if (t) {
      const out = t(data, path, warn, options);
      const key = findRuleKey(path);
      if (key && descendAfter.has(key) && isMapping(out)) descendMapping(out, path);
      return out;
    }
    if (Array.isArray(data)) return data.map((v) => walk(v, [...path, ITEM]));
    if (isMapping(data)) descendMapping(data, path);
    return data;
  };
  const descendMapping = (m: Mapping, path: string[]) => {
    for (const [k, v] of Object.entries(m)) m[k] = walk(v, [...path, k]);
  };
  return walk(doc, []) as Mapping;
}

function findRuleKey(path: TreePath): string | undefined {
  for (const key of descendAfter) {
    const p = key.split('.');
    if (p.length === path.length && p.every((s, i) => s === '*' || s === path[i])) return key;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Defaults compose fills in once all files are merged.

const defaults = rules<(d: unknown, path: TreePath) => unknown>({
  'services.*.build': (d) => {
    if (isMapping(d)) d.context ??= '.';
    return d;
  },
  [`services.*.secrets.${ITEM}`]: (d) => {
    if (isMapping(d)) d.target ??= `/run/secrets/${goString(d.source)}`;
    return d;
  },
  [`services.*.ports.${ITEM}`]: (d) => {
    if (isMapping(d)) {
      d.protocol ??= 'tcp';
      d.mode ??= 'ingress';
    }
    return d;
  },
  [`services.*.deploy.resources.reservations.devices.${ITEM}`]: deviceRequestDefaults,
  [`services.*.gpus.${ITEM}`]: deviceRequestDefaults,
  [`services.*.volumes.${ITEM}.bind`]: (d, path) => {
    if (!isMapping(d)) throw new InvalidArgument(`${formatPath(path)}: invalid type for service volume bind`);
    d.create_host_path ??= true;
    return d;
  },
});

function deviceRequestDefaults(d: unknown): unknown {
  if (isMapping(d) && !('count' in d) && !('device_ids' in d)) d.count = 'all';
  return d;
}

export function setDefaultValues(doc: Mapping): Mapping {
  const walk = (data: unknown, path: string[]): unknown => {
    const t = findRule(defaults, path);
    if (t) return t(data, path);
    if (Array.isArray(data)) return data.map((v) => walk(v, [...path, ITEM]));
    if (isMapping(data)) for (const [k, v] of Object.entries(data)) data[k] = walk(v, [...path, k]);
    return data;
  };
  return walk(doc, []) as Mapping;
}

/** compose drops empty `dns` entries (an unset `${DNS}` must not become a server ""). */
export function omitEmpty(doc: Mapping): Mapping {
  const services = doc.services;
  if (!isMapping(services)) return doc;
  for (const s of Object.values(services)) {
    if (!isMapping(s) || !Array.isArray(s.dns)) continue;
    s.dns = s.dns.filter((v) => v !== null && v !== '');
  }
  return doc;
}

