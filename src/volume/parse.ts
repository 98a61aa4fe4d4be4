// Docker's mount specifications, parsed and validated as dockerd's Linux parser does
// (volume/mounts/linux_parser.go): `-v` strings (HostConfig.Binds), `--mount` objects
// (HostConfig.Mounts), `--tmpfs` entries and `--volumes-from` references. Pure functions: no
// file system access except the existence check a `--mount type=bind` source gets.
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';
import type { MountSpec } from '../types/index.ts';

/** A container's mount as berthd keeps it (config.v2.json MountPoints, keyed by Destination). */
export interface MountPointRecord {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** Host path: the bind source, or the volume's _data (filled when the volume is known). */
  Source: string;
  Destination: string;
  RW: boolean;
  /** The volume's name ('' for binds, tmpfs and a not-yet-created anonymous volume). */
  Name: string;
  Driver: string;
  /** What `-v` said after the second colon ("ro", "z"…); "z" for local volumes, as dockerd. */
  Mode: string;
  Propagation: string;
  /** Copy the image's content at Destination into the volume when the volume is empty. */
  CopyData: boolean;
  /** A `-v` bind: the host directory is created when missing (a `--mount` bind must exist). */
  CreateSource?: boolean;
  /** tmpfs mount options (size=…,mode=…) for a --mount type=tmpfs. */
  TmpfsOptions?: string;
  /** For --mount volumes: the driver options and labels to create the volume with. */
  VolumeOptions?: { Options?: Record<string, string>; Labels?: Record<string, string> };
  NonRecursive?: boolean;
  /** An anonymous volume (no name given): `rm -v` and `--rm` remove it with the container. */
  Anonymous?: boolean;
}

const rwModes = new Set(['rw', 'ro']);
const labelModes = new Set(['z', 'Z']);
const propagationModes = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);
const copyModes = new Set(['nocopy']);
const consistencyModes = new Set(['consistent', 'cached', 'delegated']);

export const defaultPropagation = 'rprivate';

/** Go's path.Clean: normalized, without a trailing slash. */
function goClean(p: string): string {
  const c = posix.normalize(p);
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c;
}

function errInvalidSpec(raw: string): string {
  return `invalid volume specification: '${raw}'`;
}

/** dockerd's linuxValidMountMode: at most one of each kind, nothing unknown. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    if (rwModes.has(o)) counts[0]++;
    else if (labelModes.has(o)) counts[1]++;
    else if (propagationModes.has(o)) counts[2]++;
    else if (copyModes.has(o)) counts[3]++;
    else if (consistencyModes.has(o)) counts[4]++;
    else return false;
  }
  return counts.every((n) => n <= 1);
}

function modeReadWrite(mode: string): boolean {
  return !mode.split(',').includes('ro');
}

function modePropagation(mode: string): string | undefined {
  return mode.split(',').find((o) => propagationModes.has(o));
}

function validateTarget(target: string): string | undefined {
  if (target === '') return 'field Target must not be empty';
  if (goClean(target) === '/' ) return `invalid specification: destination can't be '/'`;
  if (!target.startsWith('/')) return `invalid mount path: '${target}' mount path must be absolute`;
  return undefined;
}

/** Parses one `-v` entry: host-path:dest[:mode], name:dest[:mode] or dest. */
export function parseBind(raw: string): MountPointRecord {
  const arr = splitN(raw, ':', 4);
  if (arr[0] === '') throw new InvalidArgument(errInvalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  switch (arr.length) {
    case 1:
      target = arr[0];
      break;
    case 2:
      if (validMountMode(arr[1])) throw new InvalidArgument(errInvalidSpec(raw));
      [source, target] = arr;
      break;
    case 3:
      [source, target, mode] = arr;
      break;
    default:
      throw new InvalidArgument(errInvalidSpec(raw));
  }
  if (!validMountMode(mode)) throw new InvalidArgument(`invalid mode: ${mode}`);
  const type = source.startsWith('/') ? 'bind' : 'volume';
  const problem = validateTarget(target);
  if (problem) throw new InvalidArgument(`${errInvalidSpec(raw)}: invalid mount config for type "${type}": ${problem}`);
  if (type === 'volume' && source !== '') validateVolumeName(source, { forBind: true });
  const copy = !mode.split(',').includes('nocopy');
  return {
    Type: type,
    Source: type === 'bind' ? goClean(source) : '',
    Destination: goClean(target),
    RW: modeReadWrite(mode),
    Name: type === 'volume' ? source : '',
    Driver: type === 'volume' ? 'local' : '',
    Mode: mode,
    Propagation: type === 'bind' ? (modePropagation(mode) ?? defaultPropagation) : '',
    CopyData: type === 'volume' && copy,
    ...(type === 'bind' ? { CreateSource: true } : {}),
  };
}

/** Parses one HostConfig.Mounts entry (what `--mount` sends). */
export function parseMountSpec(m: MountSpec, options: { sourceExists?: (path: string) => boolean } = {}): MountPointRecord {
  const type = m.Type;
  const fail = (msg: string): never => {
    throw new InvalidArgument(`invalid mount config for type "${type}": ${msg}`);
  };
  if (type !== 'bind' && m.BindOptions) fail('field BindOptions must not be specified');
  if (type !== 'volume' && m.VolumeOptions) fail('field VolumeOptions must not be specified');
  if (type !== 'tmpfs' && m.TmpfsOptions) fail('field TmpfsOptions must not be specified');
  const problem = validateTarget(m.Target ?? '');
  if (problem) fail(problem);
  const destination = goClean(m.Target);
  const rw = !m.ReadOnly;
  switch (type) {
    case 'bind': {
      if (!m.Source) fail('field Source must not be empty');
      const prop = m.BindOptions?.Propagation;
      if (prop && !propagationModes.has(prop)) fail(`invalid propagation mode: ${prop}`);
      if (!m.Source!.startsWith('/')) fail(`invalid mount path: '${m.Source}' mount path must be absolute`);
      const exists = options.sourceExists ?? existsSync;
      if (!exists(m.Source!) && !m.BindOptions?.CreateMountpoint) fail(`bind source path does not exist: ${m.Source}`);
      return {
        Type: 'bind',
        Source: goClean(m.Source!),
        Destination: destination,
        RW: rw,
        Name: '',
        Driver: '',
        Mode: '',
        Propagation: prop || defaultPropagation,
        CopyData: false,
        ...(m.BindOptions?.CreateMountpoint ? { CreateSource: true } : {}),
        ...(m.BindOptions?.NonRecursive ? { NonRecursive: true } : {}),
      };
    }
    case 'volume': {
      if (m.Source) validateVolumeName(m.Source, { forBind: false });
      const vo = m.VolumeOptions;
      return {
        Type: 'volume',
        Source: '',
        Destination: destination,
        RW: rw,
        Name: m.Source ?? '',
        Driver: vo?.DriverConfig?.Name || 'local',
        Mode: 'z',
        Propagation: '',
        CopyData: !vo?.NoCopy,
        ...(vo && (vo.DriverConfig?.Options || vo.Labels)
          ? { VolumeOptions: { ...(vo.DriverConfig?.Options ? { Options: vo.DriverConfig.Options } : {}), ...(vo.Labels ? { Labels: vo.Labels } : {}) } }
          : {}),
      };
    }
    case 'tmpfs': {
      if (m.Source) fail('field Source must not be specified');
      return {
        Type: 'tmpfs',
        Source: '',
        Destination: destination,
        RW: rw,
        Name: '',
        Driver: '',
        Mode: '',
        Propagation: '',
        CopyData: false,
        TmpfsOptions: tmpfsOptionString(m.TmpfsOptions, m.ReadOnly ?? false),
      };
    }
    default:
      return fail('mount type unknown');
  }
}

/** dockerd's ConvertTmpfsOptions: ro, mode=<octal>, size=<n>[kmg]. */
export function tmpfsOptionString(o: MountSpec['TmpfsOptions'], readOnly: boolean): string {
  const out: string[] = [];
  if (readOnly) out.push('ro');
  if (o?.Mode) out.push(`mode=${o.Mode.toString(8)}`);
  if (o?.SizeBytes) {
    let size = o.SizeBytes;
    let suffix = '';
    for (const [s, d] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
      if (size % d === 0) {
        size /= d;
        suffix = s;
        break;
      }
    }
    out.push(`size=${size}${suffix}`);
  }
  return out.join(',');
}

const tmpfsFlagOptions = new Set([
  'ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'sync', 'async', 'dirsync', 'remount', 'mand', 'nomand',
  'atime', 'noatime', 'diratime', 'nodiratime', 'relatime', 'norelatime', 'strictatime', 'nostrictatime',
]);
const tmpfsDataOptions = new Set(['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol']);

/** Validates one HostConfig.Tmpfs entry (`--tmpfs /run:rw,size=64m`) as dockerd's ValidateTmpfsMountDestination. */
export function validateTmpfs(destination: string, options: string): void {
  const problem = validateTarget(destination);
  if (problem) throw new InvalidArgument(problem.replace(/^field Target must not be empty$/, `invalid mount path: '' mount path must be absolute`));
  for (const o of options.split(',').filter(Boolean)) {
    const key = o.split('=')[0];
    if (!tmpfsFlagOptions.has(key) && !tmpfsDataOptions.has(key)) throw new InvalidArgument(`Invalid tmpfs option ["${o}"]`);
  }
}

/** `container[:ro|rw]` of --volumes-from. */
export function parseVolumesFrom(spec: string): { container: string; mode: string } {
  if (spec === '') throw new InvalidArgument('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  if (i < 0) return { container: spec, mode: 'rw' };
  const mode = spec.slice(i + 1);
  if (!validMountMode(mode) || modePropagation(mode) || mode.split(',').includes('nocopy')) throw new InvalidArgument(`invalid mode: ${mode}`);
  return { container: spec.slice(0, i), mode };
}

export function volumesFromReadWrite(mode: string): boolean {
  return modeReadWrite(mode);
}

const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The local driver's name rule; `forBind` words the error for a `-v` relative host path. */
/** A volume is a directory named after it: no name can be longer than a file name (NAME_MAX). */
export const maxVolumeNameLength = 255;

export function validateVolumeName(name: string, options: { forBind?: boolean } = {}): void {
  if (name.length === 1) throw new InvalidArgument('volume name is too short, names should be at least two alphanumeric characters');
  if (Buffer.byteLength(name) > maxVolumeNameLength) {
    const msg = `volume name is too long: names can be at most ${maxVolumeNameLength} characters, this one has ${Buffer.byteLength(name)}`;
    throw new InvalidArgument(options.forBind ? `create ${name.slice(0, 32)}…: ${msg}` : msg);
  }
  if (!volumeNamePattern.test(name)) {
    const msg = `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
    throw new InvalidArgument(options.forBind ? `create ${name}: ${msg}` : msg);
  }
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}
