// The Compose Specification's merge rules for `-f a.yaml -f b.yaml`, `extends` and `include`:
// mappings merge key by key, scalars are replaced, sequences are appended, and then the
// sequences that are really keyed sets (ports, volumes by target, environment by name…) keep one
// entry per key, the later one in the place of the first. command, entrypoint and
// healthcheck.test are replaced whole; environment, labels, sysctls… are merged after their list
// and mapping spellings are made one.
import { InvalidArgument } from '../errors/index.ts';
import { parseVolumeShort } from './short-syntax.ts';
import { findRule, formatPath, isMapping, rules, type Mapping, type TreePath } from './tree.ts';

type Merger = (base: unknown, override: unknown, path: TreePath) => unknown;

const mergers = rules<Merger>({
  'networks.*.ipam.config': mergeIpamConfig,
  'networks.*.labels': mergeToSequence,
  'volumes.*.labels': mergeToSequence,
  'services.*.annotations': mergeToSequence,
  'services.*.build': mergeBuild,
  'services.*.build.args': mergeToSequence,
  'services.*.build.additional_contexts': mergeToSequence,
  'services.*.build.extra_hosts': mergeExtraHosts,
  'services.*.build.labels': mergeToSequence,
  'services.*.command': replace,
  'services.*.depends_on': mergeDependsOn,
  'services.*.deploy.labels': mergeToSequence,
  'services.*.dns': mergeToSequence,
  'services.*.dns_opt': mergeToSequence,
  'services.*.dns_search': mergeToSequence,
  'services.*.entrypoint': replace,
  'services.*.env_file': mergeToSequence,
  'services.*.label_file': mergeToSequence,
  'services.*.environment': mergeToSequence,
  'services.*.extra_hosts': mergeExtraHosts,
  'services.*.healthcheck.test': replace,
  'services.*.labels': mergeToSequence,
  'services.*.volumes.*.volume.labels': mergeToSequence,
  'services.*.logging': mergeLogging,
  'services.*.models': mergeStringSetOrMapping,
  'services.*.networks': mergeStringSetOrMapping,
  'services.*.sysctls': mergeToSequence,
  'services.*.tmpfs': mergeToSequence,
  'services.*.ulimits.*': mergeUlimit,
});

/** Merges `override` onto `base` (both plain YAML data); `base` may be modified in place. */
export function mergeYaml(base: unknown, override: unknown, path: TreePath = []): unknown {
  const special = findRule(mergers, path);
  if (special) return special(base, override, path);
  if (override === null || override === undefined) return base;
  if (isMapping(base)) {
    if (!isMapping(override)) throw new InvalidArgument(`cannot override ${formatPath(path)}`);
    return mergeMappings(base, override, path);
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(override)) throw new InvalidArgument(`cannot override ${formatPath(path)}`);
    return [...base, ...override];
  }
  return override;
}

function mergeMappings(base: Mapping, override: Mapping, path: TreePath): Mapping {
  for (const [k, v] of Object.entries(override)) {
    if (!Object.prototype.hasOwnProperty.call(base, k)) {
      base[k] = v;
      continue;
    }
    base[k] = mergeYaml(base[k], v, [...path, k]);
  }
  return base;
}

function replace(_base: unknown, override: unknown): unknown {
  return override;
}

// Logging options merge only when both files name the same driver (or one names none).
function mergeLogging(base: unknown, override: unknown, path: TreePath): unknown {
  if (!isMapping(base) || !isMapping(override)) return override ?? base;
  if (!('driver' in override) || !('driver' in base) || override.driver === base.driver) return mergeMappings(base, override, path);
  return override;
}

function mergeBuild(base: unknown, override: unknown, path: TreePath): unknown {
  const toBuild = (v: unknown): Mapping => (typeof v === 'string' ? { context: v } : isMapping(v) ? v : {});
  if (override === null || override === undefined) return base;
  return mergeMappings(toBuild(base), toBuild(override), path);
}

function mergeDependsOn(base: unknown, override: unknown, path: TreePath): unknown {
  const defaults = (): Mapping => ({ condition: 'service_started', required: true });
  return mergeMappings(toMapping(base, defaults), toMapping(override, defaults), path);
}

function mergeStringSetOrMapping(base: unknown, override: unknown, path: TreePath): unknown {
  return mergeMappings(toMapping(base, () => null), toMapping(override, () => null), path);
}

function toMapping(v: unknown, entry: () => unknown): Mapping {
  if (isMapping(v)) return v;
  const out: Mapping = {};
  if (Array.isArray(v)) for (const k of v) out[String(k)] = entry();
  return out;
}

function mergeExtraHosts(base: unknown, override: unknown): unknown {
  const right = toSequence(base);
  const left = toSequence(override).filter((v) => !right.includes(v));
  return [...right, ...left];
}

function mergeToSequence(base: unknown, override: unknown): unknown {
  return [...toSequence(base), ...toSequence(override)];
}

/** A mapping spelled as a list: `KEY=value`, a null value as a bare `KEY`, sorted as compose does. */
export function toSequence(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [v];
  if (!isMapping(v)) return [];
  const seq: string[] = [];
  for (const [k, val] of Object.entries(v)) {
    if (val === null || val === undefined) seq.push(k);
    else if (Array.isArray(val)) for (const item of val) seq.push(`${k}=${goString(item)}`);
    else seq.push(`${k}=${goString(val)}`);
  }
  return seq.sort();
}

/** fmt.Sprint of a YAML scalar. */
export function goString(v: unknown): string {
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // Go prints floats with %v as the shortest representation, with an exponent from 1e21.
  const s = String(n);
  return s.replace(/e\+?(-?)(\d)$/, 'e$1+0$2').replace(/e\+?(\d\d+)$/, 'e+$1');
}

function mergeUlimit(base: unknown, override: unknown, path: TreePath): unknown {
  if (isMapping(base) && isMapping(override)) return mergeMappings(base, override, path);
  return override;
}

function mergeIpamConfig(base: unknown, override: unknown, path: TreePath): unknown {
  if (!Array.isArray(base) || !Array.isArray(override)) throw new InvalidArgument(`${formatPath(path)}: unexpected type`);
  const out: Mapping[] = [];
  const indexOfSubnet = (subnet: unknown) => out.findIndex((c) => c.subnet === subnet);
  for (const original of base) {
    const right = isMapping(original) ? original : {};
    for (const o of override) {
      const left = isMapping(o) ? o : {};
      if (left.subnet !== right.subnet) {
        if (indexOfSubnet(left.subnet) < 0) {
          out.push(left);
          continue;
        }
      }
      const merged = mergeMappings({ ...right }, left, path);
      const at = indexOfSubnet(merged.subnet);
      if (at >= 0) out[at] = merged;
      else out.push(merged);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Keyed sequences: one entry per key after a merge.

type Indexer = (item: unknown, path: TreePath) => string;

const keyValue: Indexer = (v, path) => {
  if (typeof v !== 'string') throw new InvalidArgument(`${formatPath(path)}: unexpected type ${typeName(v)}`);
  const eq = v.indexOf('=');
  return eq < 0 ? v : v.slice(0, eq);
};

const volumeTarget: Indexer = (v, path) => {
  if (isMapping(v)) {
    if (typeof v.target !== 'string') throw new InvalidArgument(`service volume ${formatPath(path)} is missing a mount target`);
    return v.target;
  }
  if (typeof v === 'string') return String(parseVolumeShort(v).target);
  return '';
};

const deviceTarget: Indexer = (v, path) => {
  if (isMapping(v)) {
    if (typeof v.target !== 'string') throw new InvalidArgument(`service device ${formatPath(path)} is missing a mount target`);
    return v.target;
  }
  if (typeof v === 'string') {
    const parts = v.split(':');
    return parts.length === 1 ? parts[0] : parts[1];
  }
  return '';
};

const expose: Indexer = (v, path) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  throw new InvalidArgument(`${formatPath(path)}: unsupported expose value ${goString(v)}`);
};

function mountTarget(defaultDir: string): Indexer {
  return (v, path) => {
    if (typeof v === 'string') return `${defaultDir}/${v}`;
    if (isMapping(v)) return typeof v.target === 'string' ? v.target : `${defaultDir}/${goString(v.source)}`;
    throw new InvalidArgument(`${formatPath(path)}: unsupported expose value ${goString(v)}`);
  };
}

const port: Indexer = (v, path) => {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (isMapping(v)) {
    if (!('target' in v)) throw new InvalidArgument(`service ports ${formatPath(path)} is missing a target port`);
    return `${goString(v.host_ip ?? '0.0.0.0')}:${goString(v.published ?? '')}:${goString(v.target)}/${goString(v.protocol ?? 'tcp')}`;
  }
  return '';
};

const envFile: Indexer = (v, path) => {
  if (typeof v === 'string') return v;
  if (isMapping(v)) {
    if (typeof v.path !== 'string') throw new InvalidArgument(`environment path attribute ${formatPath(path)} is missing`);
    return v.path;
  }
  return '';
};

const unique = rules<Indexer>({
  'networks.*.labels': keyValue,
  'networks.*.ipam.options': keyValue,
  'services.*.annotations': keyValue,
  'services.*.build.args': keyValue,
  'services.*.build.additional_contexts': keyValue,
  'services.*.build.platform': keyValue,
  'services.*.build.tags': keyValue,
  'services.*.build.labels': keyValue,
  'services.*.cap_add': keyValue,
  'services.*.cap_drop': keyValue,
  'services.*.devices': deviceTarget,
  'services.*.configs': mountTarget(''),
  'services.*.deploy.labels': keyValue,
  'services.*.dns': keyValue,
  'services.*.dns_opt': keyValue,
  'services.*.dns_search': keyValue,
  'services.*.environment': keyValue,
  'services.*.env_file': envFile,
  'services.*.expose': expose,
  'services.*.labels': keyValue,
  'services.*.links': keyValue,
  'services.*.networks.*.aliases': keyValue,
  'services.*.networks.*.link_local_ips': keyValue,
  'services.*.ports': port,
  'services.*.profiles': keyValue,
  'services.*.secrets': mountTarget('/run/secrets'),
  'services.*.sysctls': keyValue,
  'services.*.tmpfs': keyValue,
  'services.*.volumes': volumeTarget,
});

/** Keeps one entry per key in the keyed sequences: a redefinition replaces the first one in place. */
export function enforceUnicity(value: unknown, path: TreePath = []): unknown {
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) value[k] = enforceUnicity(v, [...path, k]);
    return value;
  }
  if (Array.isArray(value)) {
    const indexer = findRule(unique, path);
    if (!indexer) return value;
    const seq: unknown[] = [];
    const keys = new Map<string, number>();
    value.forEach((entry, i) => {
      const key = indexer(entry, [...path, String(i)]);
      const at = keys.get(key);
      if (at !== undefined) seq[at] = entry;
      else {
        keys.set(key, seq.length);
        seq.push(entry);
      }
    });
    return seq;
  }
  return value;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Removes what `!reset`/`!override` designate from a model merged so far (before the next file). */
export function applyResets(target: unknown, paths: readonly TreePath[], path: TreePath = []): void {
  if (paths.length === 0) return;
  const hit = (p: TreePath) => paths.some((r) => r.length === p.length && r.every((s, i) => s === '*' || s === p[i]));
  if (isMapping(target)) {
    for (const k of Object.keys(target)) {
      const next = [...path, k];
      if (hit(next)) delete target[k];
      else applyResets(target[k], paths, next);
    }
  } else if (Array.isArray(target)) {
    target.forEach((v, i) => applyResets(v, paths, [...path, String(i)]));
  }
}
