// The docker CLI's parsing of the resource and security flags of `run`, `create` and `update`
// (its opts package): values and error texts as docker 28 prints them after
// `invalid argument "<value>" for "<flag>" flag: `. Pure; reading a seccomp profile's file is
// passed in.
import { InvalidArgument } from '../errors/index.ts';
import { parseRamInBytes } from '../lib/index.ts';
import type { DeviceMapping } from '../types/index.ts';

/** --ulimit (and berthd's --default-ulimit): go-units' parser, in lib. */
export { parseUlimit } from '../lib/index.ts';

function validDeviceMode(mode: string): boolean {
  return mode !== '' && [...mode].every((c, i) => 'rwm'.includes(c) && mode.indexOf(c) === i);
}

/** --device SRC[:DST][:MODE], as the docker CLI checks and splits it. */
export function parseDevice(val: string): DeviceMapping {
  const parts = val.split(':');
  if (parts.length > 3 || parts[0] === '') throw new InvalidArgument(`bad format for path: ${val}`);
  let dst = '';
  let mode = 'rwm';
  if (parts.length === 3) {
    dst = parts[1];
    mode = parts[2];
    if (!validDeviceMode(mode)) throw new InvalidArgument(`bad mode specified: ${mode}`);
  } else if (parts.length === 2) {
    if (validDeviceMode(parts[1])) mode = parts[1];
    else dst = parts[1];
  }
  const containerPath = dst || parts[0];
  if (!containerPath.startsWith('/')) throw new InvalidArgument(`${containerPath} is not an absolute path`);
  return { PathOnHost: parts[0], PathInContainer: containerPath, CgroupPermissions: mode };
}

/** --device-cgroup-rule "c 42:* rmw". */
export function validateDeviceCgroupRule(val: string): string {
  if (!/^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/.test(val)) throw new InvalidArgument(`invalid device cgroup format '${val}'`);
  return val;
}

function devicePath(val: string): [path: string, value: string] {
  const colon = val.indexOf(':');
  if (colon <= 0) throw new InvalidArgument(`bad format: ${val}`);
  const path = val.slice(0, colon);
  if (!path.startsWith('/dev/')) throw new InvalidArgument(`bad format for device path: ${val}`);
  return [path, val.slice(colon + 1)];
}

/** --blkio-weight-device /dev/sda:300 (10 to 1000, or 0). */
export function parseWeightDevice(val: string): { Path: string; Weight: number } {
  const [path, v] = devicePath(val);
  const weight = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(weight <= 65535) || (weight > 0 && (weight < 10 || weight > 1000))) throw new InvalidArgument(`invalid weight for device: ${val}`);
  return { Path: path, Weight: weight };
}

/** --device-read-bps / --device-write-bps /dev/sda:1mb. */
export function parseThrottleBps(val: string): { Path: string; Rate: number } {
  const [path, v] = devicePath(val);
  let rate: number;
  try {
    rate = parseRamInBytes(v);
  } catch {
    rate = -1;
  }
  if (rate < 0) {
    throw new InvalidArgument(`invalid rate for device: ${val}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`);
  }
  return { Path: path, Rate: rate };
}

/** --device-read-iops / --device-write-iops /dev/sda:1000. */
export function parseThrottleIops(val: string): { Path: string; Rate: number } {
  const [path, v] = devicePath(val);
  if (!/^\d+$/.test(v) || BigInt(v) >= 1n << 64n) {
    throw new InvalidArgument(`invalid rate for device: ${val}. The correct format is <device-path>:<number>. Number must be a positive integer`);
  }
  return { Path: path, Rate: Number(v) };
}

/** --cpus as NanoCPUs: a rational number ("1.5", "3/2", "2e-1") times 10^9, which must come out whole. */
export function parseCpus(val: string): number {
  const bad = () => new InvalidArgument(`failed to parse ${val} as a rational number`);
  let num: bigint;
  let den: bigint;
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(val);
  const dec = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(val);
  if (frac) {
    num = BigInt(frac[1]);
    den = BigInt(frac[2]);
    if (den === 0n) throw bad();
  } else if (dec && (dec[2] || dec[3])) {
    const digits = `${dec[2]}${dec[3] ?? ''}`;
    const exp = Number(dec[4] ?? 0) - (dec[3] ?? '').length;
    num = BigInt(digits || '0') * (exp > 0 ? 10n ** BigInt(exp) : 1n) * (dec[1] === '-' ? -1n : 1n);
    den = exp < 0 ? 10n ** BigInt(-exp) : 1n;
  } else throw bad();
  const nano = num * 1_000_000_000n;
  if (nano % den !== 0n) throw new InvalidArgument('value is too precise');
  return Number(nano / den);
}

/** --memory-swap: bytes, or -1 for unlimited swap. */
export function parseMemorySwap(val: string): number {
  return val === '-1' ? -1 : parseRamInBytes(val);
}

const namespacedSysctls = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** --sysctl: only the sysctls a container's own namespaces make safe (IPC's, net.*, fs.mqueue.*). */
export function validateSysctl(val: string): [name: string, value: string] {
  const eq = val.indexOf('=');
  const name = eq < 0 ? val : val.slice(0, eq);
  if (eq < 0 || !(namespacedSysctls.has(name) || name.startsWith('net.') || name.startsWith('fs.mqueue.'))) {
    throw new InvalidArgument(`sysctl '${val}' is not allowed`);
  }
  return [name, val.slice(eq + 1)];
}

/**
 * --security-opt as the docker CLI sends it: "seccomp=<file>" becomes the file's JSON, compacted;
 * "systempaths=unconfined" is not sent but empties the masked and read-only paths.
 */
export function parseSecurityOptFlags(opts: readonly string[], readFile: (path: string) => string): { securityOpt: string[]; maskedPaths?: string[]; readonlyPaths?: string[] } {
  const out: { securityOpt: string[]; maskedPaths?: string[]; readonlyPaths?: string[] } = { securityOpt: [] };
  for (const opt of opts) {
    if (opt === 'systempaths=unconfined') {
      out.maskedPaths = [];
      out.readonlyPaths = [];
      continue;
    }
    let sep = opt.indexOf('=');
    if (sep < 0 && opt !== 'no-new-privileges') sep = opt.indexOf(':');
    const key = sep < 0 ? opt : opt.slice(0, sep);
    const value = sep < 0 ? '' : opt.slice(sep + 1);
    if ((sep < 0 || value === '') && key !== 'no-new-privileges') throw new InvalidArgument(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key === 'seccomp' && value !== 'builtin' && value !== 'unconfined') {
      let text: string;
      try {
        text = readFile(value);
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${value}: no such file or directory` : (err as Error).message;
        throw new InvalidArgument(`opening seccomp profile (${value}) failed: ${reason}`);
      }
      try {
        JSON.parse(text);
        out.securityOpt.push(`seccomp=${compactJson(text)}`);
      } catch (err) {
        throw new InvalidArgument(`compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`);
      }
      continue;
    }
    out.securityOpt.push(opt);
  }
  return out;
}

/** Go's json.Compact for valid JSON: whitespace outside strings dropped, everything else (numbers too) kept as written. */
function compactJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!' \t\n\r'.includes(c)) out += c;
  }
  return out;
}

/** A size flag's value (docker's MemBytes: RAMInBytes, "512m" is 512 MiB). */
export function validateBytes(val: string): void {
  parseRamInBytes(val);
}

/** pflag's Uint16 flag. */
export function validateUint16(val: string): void {
  if (!/^\d+$/.test(val)) throw new InvalidArgument(`strconv.ParseUint: parsing ${JSON.stringify(val)}: invalid syntax`);
  if (Number(val) > 65535) throw new InvalidArgument(`strconv.ParseUint: parsing ${JSON.stringify(val)}: value out of range`);
}
