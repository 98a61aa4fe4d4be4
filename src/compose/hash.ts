// The config hash compose stores on each container (com.docker.compose.config-hash) to decide
// whether `up` must recreate it. Like compose v2's ServiceHash, it is the SHA-256 of the
// service's normalized configuration (environment after env_file and .env resolution, ports and
// volumes in long form, durations and sizes as numbers), leaving out what does not require a
// new container: build (a rebuilt image changes the image label instead), pull_policy, scale and
// deploy.replicas (scaling adds or removes containers), depends_on (ordering only), profiles,
// and `x-` extensions. The JSON is canonical (keys sorted), so the hash depends on the
// configuration, not on how or in which order the files wrote it. It is not byte-compatible
// with compose v2's Go-struct JSON: a project created by another tool is recreated once.
import { sha256Hex } from '../lib/index.ts';
import type { ServiceConfig, NetworkConfig, VolumeConfig } from './model.ts';
import { isMapping } from './tree.ts';

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isMapping(value)) {
    const parts: string[] = [];
    for (const k of Object.keys(value).sort()) {
      if (value[k] === undefined) continue;
      parts.push(`${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtensions);
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'extensions') out[k] = withoutExtensions(v);
    return out;
  }
  return value;
}

export function serviceConfigHash(service: ServiceConfig): string {
  const { build: _build, pull_policy: _pull, scale: _scale, depends_on: _deps, profiles: _profiles, name: _name, ...rest } = service;
  const hashed: Record<string, unknown> = { ...rest };
  if (service.deploy) {
    const { replicas: _replicas, ...deploy } = service.deploy;
    hashed.deploy = deploy;
  }
  return sha256Hex(canonicalJson(withoutExtensions(hashed)));
}

/** Networks and volumes carry a hash too, so a changed definition can be told from the live one. */
export function networkConfigHash(network: NetworkConfig): string {
  return sha256Hex(canonicalJson(withoutExtensions(network)));
}

export function volumeConfigHash(volume: VolumeConfig): string {
  return sha256Hex(canonicalJson(withoutExtensions({ ...volume, driver: volume.driver || 'local' })));
}
