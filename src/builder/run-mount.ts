// RUN --mount=… and RUN --network=…: the option syntax and validation of BuildKit's Dockerfile
// frontend (instructions/commands_runmount.go), with its messages. `type=ssh` parses (so the error
// can say exactly what is missing) and is then refused: Berth forwards no SSH agent.
import { InvalidArgument } from '../errors/index.ts';
import { parseBool, parseRamInBytes, parseUint } from '../lib/index.ts';
import { withSuggestion } from './flags.ts';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';
export type NetworkMode = 'default' | 'none' | 'host';

const mountTypes: MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const sharingModes: CacheSharing[] = ['shared', 'private', 'locked'];
const networkModes: NetworkMode[] = ['default', 'none', 'host'];

export interface MountSpec {
  type: MountType;
  /** A stage name or index, or an image, to mount from (bind, cache). */
  from: string;
  source: string;
  target: string;
  readOnly: boolean;
  /** tmpfs size in bytes; 0 for the default. */
  sizeLimit: number;
  cacheId: string;
  cacheSharing: CacheSharing | '';
  required: boolean;
  /** secret: the environment variable to expose it as. */
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

const allKeys = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env'];

/** Splits one CSV record as Go's encoding/csv does (quoted fields, "" inside quotes). */
export function csvFields(value: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (value[i] === '"') {
      i++;
      for (;;) {
        if (i >= value.length) throw new InvalidArgument(`failed to parse csv mounts: parse error on line 1, column ${value.length + 1}: extraneous or missing " in quoted-field`);
        if (value[i] === '"') {
          if (value[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += value[i++];
      }
      if (i < value.length && value[i] !== ',') throw new InvalidArgument(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    } else {
      while (i < value.length && value[i] !== ',') {
        if (value[i] === '"') throw new InvalidArgument(`failed to parse csv mounts: parse error on line 1, column ${i + 1}: bare " in non-quoted-field`);
        field += value[i++];
      }
    }
    fields.push(field);
    if (i >= value.length) return fields;
    i++; // the comma
  }
}

/**
 * The check BuildKit makes while parsing the instruction, before variables are known: `from`
 * cannot come from a variable (the stage graph is built before expansion).
 */
export function precheckMount(value: string): void {
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    if (eq < 0 || field.slice(0, eq).toLowerCase() !== 'from') continue;
    const v = field.slice(eq + 1);
    const dollar = v.indexOf('$');
    if (dollar !== -1 && dollar !== v.length - 1) throw new InvalidArgument("'from' doesn't support variable expansion, define alias stage instead");
  }
}

/** A --mount value with its variables expanded, validated as BuildKit validates it. */
export function parseMount(value: string, expand: (word: string) => string): MountSpec {
  const m: MountSpec = { type: 'bind', from: '', source: '', target: '', readOnly: false, sizeLimit: 0, cacheId: '', cacheSharing: '', required: false };
  let roAuto = true;
  const bool = (key: string, v: string) => {
    try {
      return parseBool(v);
    } catch {
      throw new InvalidArgument(`invalid value for ${key}: ${v}`);
    }
  };
  const uint = (v: string, base: 8 | 10, what: string) => {
    const ok = base === 8 ? /^[0-7]+$/.test(v) : /^\d+$/.test(v);
    let n: bigint | undefined;
    try {
      n = ok ? (base === 8 ? BigInt('0o' + v) : parseUint(v, 32)) : undefined;
    } catch {
      n = undefined;
    }
    if (n === undefined || n > 0xffffffffn) throw new InvalidArgument(`invalid value ${v} for ${what}`);
    return Number(n);
  };
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') {
        m.readOnly = true;
        roAuto = false;
      } else if (key === 'readwrite' || key === 'rw') {
        m.readOnly = false;
        roAuto = false;
      } else if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh') throw new InvalidArgument(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
      } else {
        throw new InvalidArgument(`invalid field '${field}' must be a key=value pair`);
      }
      continue;
    }
    const v = expand(field.slice(eq + 1));
    switch (key) {
      case 'type': {
        const t = v.toLowerCase() as MountType;
        if (!mountTypes.includes(t)) throw new InvalidArgument(withSuggestion(`unsupported mount type "${v}"`, v, mountTypes, true));
        m.type = t;
        break;
      }
      case 'from':
        m.from = v;
        break;
      case 'source':
      case 'src':
        m.source = v;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = v;
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = bool(key, v);
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        m.readOnly = !bool(key, v);
        roAuto = false;
        break;
      case 'required':
        if (m.type !== 'secret' && m.type !== 'ssh') throw new InvalidArgument(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = bool(key, v);
        break;
      case 'size':
        if (m.type !== 'tmpfs') throw new InvalidArgument(`unexpected key '${key}' for mount type '${m.type}'`);
        try {
          m.sizeLimit = parseRamInBytes(v);
        } catch {
          throw new InvalidArgument(`invalid value for ${key}: ${v}`);
        }
        break;
      case 'id':
        m.cacheId = v;
        break;
      case 'sharing': {
        const s = v.toLowerCase() as CacheSharing;
        if (!sharingModes.includes(s)) throw new InvalidArgument(withSuggestion(`unsupported sharing value "${v}"`, v, sharingModes, true));
        m.cacheSharing = s;
        break;
      }
      case 'mode':
        m.mode = uint(v, 8, 'mode');
        break;
      case 'uid':
        m.uid = uint(v, 10, 'uid');
        break;
      case 'gid':
        m.gid = uint(v, 10, 'gid');
        break;
      case 'env':
        m.env = v;
        break;
      default:
        throw new InvalidArgument(withSuggestion(`unexpected key '${key}' in '${field}'`, key, allKeys, true));
    }
  }
  if (m.type !== 'secret' && m.type !== 'ssh' && m.type !== 'cache') {
    for (const k of ['mode', 'uid', 'gid'] as const) if (m[k] !== undefined) throw new InvalidArgument(`${k} not allowed for "${m.type}" type mounts`);
  }
  if (roAuto) m.readOnly = m.type !== 'cache' && m.type !== 'tmpfs';
  if (m.type === 'secret') {
    if (m.from !== '') throw new InvalidArgument('secret mount should not have a from');
    if (m.cacheSharing !== '') throw new InvalidArgument('secret mount should not define sharing');
    if (m.source === '' && m.target === '' && m.cacheId === '') throw new InvalidArgument('invalid secret mount. one of source, target required');
    if (m.source !== '' && m.cacheId !== '') throw new InvalidArgument("both source and id can't be set");
  }
  if (m.cacheSharing !== '' && m.type !== 'cache') throw new InvalidArgument(`invalid cache sharing set for ${m.type} mount`);
  if (m.type === 'ssh') {
    throw new InvalidArgument('RUN --mount=type=ssh is not supported: Berth does not forward an SSH agent into builds; pass the key as a secret (--secret id=…,src=… and --mount=type=secret) instead');
  }
  return m;
}

export function parseNetworkMode(value: string): NetworkMode {
  if (!networkModes.includes(value as NetworkMode)) throw new InvalidArgument(`invalid network mode ${JSON.stringify(value)}`);
  return value as NetworkMode;
}
