// The mount flags of `run` and `create` as docker's CLI reads them: -v/--volume (binds go to
// HostConfig.Binds with ./relative sources made absolute, bare paths to Config.Volumes), --mount
// (CSV key=value, opts/mount.go), --tmpfs and --volumes-from.
import { isAbsolute, resolve } from 'node:path';
import { parseRamInBytes } from '../../../lib/index.ts';
import type { MountSpec } from '../../../types/index.ts';
import { StatusError } from '../../errors.ts';

function flagError(value: string, flag: string, message: string): StatusError {
  return new StatusError(125, `invalid argument ${JSON.stringify(value)} for "${flag}" flag: ${message}`);
}

/** `-v` entries: binds (with a source) and anonymous volumes (a container path alone). */
export function parseVolumeFlags(specs: readonly string[]): { binds: string[]; volumes: Record<string, Record<string, never>> } {
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const spec of specs) {
    const parts = spec.split(':');
    if (parts.some((p) => p === '')) throw new StatusError(125, `invalid spec: ${spec}: empty section between colons`);
    if (parts.length > 3) throw new StatusError(125, `invalid spec: ${spec}: too many colons`);
    if (parts.length === 1) {
      volumes[parts[0]] = {};
      continue;
    }
    let source = parts[0];
    // compose's rule: a source starting with "." is a host path relative to the working directory
    if (!isAbsolute(source) && source.startsWith('.')) source = resolve(source);
    binds.push([source, ...parts.slice(1)].join(':'));
  }
  return { binds, volumes };
}

function splitCsv(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"') {
      if (quoted && value[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseBoolValue(key: string, val: string | undefined): boolean {
  if (val === undefined) return true;
  if (val === '1' || val === 'true') return true;
  if (val === '0' || val === 'false') return false;
  throw new Error(`invalid value for '${key}': invalid boolean value (${JSON.stringify(val)}): must be one of "true", "1", "false", or "0" (default "true")`);
}

/** One `--mount` value, as docker's MountOpt.Set. */
export function parseMountFlag(raw: string): MountSpec {
  const value = raw.trim();
  try {
    if (value === '') throw new Error('value is empty');
    const m: MountSpec = { Type: 'volume', Target: '' };
    let type = 'volume';
    const bind = (): NonNullable<MountSpec['BindOptions']> => (m.BindOptions ??= {});
    const vol = (): NonNullable<MountSpec['VolumeOptions']> => (m.VolumeOptions ??= {});
    const tmp = (): NonNullable<MountSpec['TmpfsOptions']> => (m.TmpfsOptions ??= {});
    for (const field of splitCsv(value)) {
      const eq = field.indexOf('=');
      const rawKey = eq < 0 ? field : field.slice(0, eq);
      const val = eq < 0 ? undefined : field.slice(eq + 1);
      if (rawKey.trim() !== rawKey) throw new Error(`invalid option '${rawKey.trim()}' in '${field}': option should not have whitespace`);
      if (val !== undefined) {
        if (val.trim() === '') throw new Error(`invalid value for '${rawKey}': value is empty`);
        if (val.trim() !== val) throw new Error(`invalid value for '${rawKey}' in '${field}': value should not have whitespace`);
      }
      const key = rawKey.toLowerCase();
      if (val === undefined && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-src'].includes(key)) {
        throw new Error(`invalid field '${field}' must be a key=value pair`);
      }
      switch (key) {
        case 'type':
          type = val!.toLowerCase();
          m.Type = type as MountSpec['Type'];
          break;
        case 'source':
        case 'src':
          m.Source = !isAbsolute(val!) && val!.startsWith('.') ? resolve(val!) : val!;
          break;
        case 'target':
        case 'dst':
        case 'destination':
          m.Target = val!;
          break;
        case 'readonly':
        case 'ro':
          m.ReadOnly = parseBoolValue(key, val);
          break;
        case 'consistency':
          m.Consistency = val!;
          break;
        case 'bind-propagation':
          bind().Propagation = val!.toLowerCase();
          break;
        case 'bind-nonrecursive':
          throw new Error('bind-nonrecursive is deprecated, use bind-recursive=disabled instead');
        case 'bind-recursive':
          if (val === 'disabled') bind().NonRecursive = true;
          else if (!['enabled', 'writable', 'readonly'].includes(val!)) throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
          else bind();
          break;
        case 'bind-create-src':
          bind().CreateMountpoint = parseBoolValue(key, val);
          break;
        case 'volume-nocopy':
          vol().NoCopy = parseBoolValue(key, val);
          break;
        case 'volume-label': {
          const [k, ...rest] = val!.split('=');
          vol().Labels = { ...(vol().Labels ?? {}), [k]: rest.join('=') };
          break;
        }
        case 'volume-driver':
          vol().DriverConfig = { ...(vol().DriverConfig ?? {}), Name: val! };
          break;
        case 'volume-opt': {
          const [k, ...rest] = val!.split('=');
          const dc = (vol().DriverConfig ??= {});
          dc.Options = { ...(dc.Options ?? {}), [k]: rest.join('=') };
          break;
        }
        case 'tmpfs-size': {
          try {
            tmp().SizeBytes = parseRamInBytes(val!);
          } catch {
            throw new Error(`invalid value for ${key}: ${val}`);
          }
          break;
        }
        case 'tmpfs-mode': {
          if (!/^[0-7]+$/.test(val!)) throw new Error(`invalid value for ${key}: ${val}`);
          tmp().Mode = parseInt(val!, 8);
          break;
        }
        default:
          throw new Error(`unknown option '${key}' in '${field}'`);
      }
    }
    if (!type) throw new Error('type is required');
    if (type !== 'bind' && m.BindOptions) throw new Error(`cannot mix 'bind-*' options with mount type '${type}'`);
    if (type !== 'volume' && m.VolumeOptions) throw new Error(`cannot mix 'volume-*' options with mount type '${type}'`);
    if (type !== 'tmpfs' && m.TmpfsOptions) throw new Error(`cannot mix 'tmpfs-*' options with mount type '${type}'`);
    return m;
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw flagError(raw, '--mount', (err as Error).message);
  }
}


/** `--tmpfs /run:rw,size=64m` entries as HostConfig.Tmpfs. */
export function parseTmpfsFlags(specs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of specs) {
    const i = t.indexOf(':');
    out[i < 0 ? t : t.slice(0, i)] = i < 0 ? '' : t.slice(i + 1);
  }
  return out;
}
