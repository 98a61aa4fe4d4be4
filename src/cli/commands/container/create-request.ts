// `run` and `create` options (docker's container options) translated into the body of
// POST /containers/create.
import { readFileSync } from 'node:fs';
import { parsePortSpec, parseRamInBytes, type PortSpecMapping } from '../../../lib/index.ts';
import type { CreateContainerRequest, EndpointSettings, HealthConfig, HostConfig, PortBinding } from '../../../types/index.ts';
import { StatusError } from '../../errors.ts';
import {
  parseCpus,
  parseDevice,
  parseMemorySwap,
  parseSecurityOptFlags,
  parseThrottleBps,
  parseThrottleIops,
  parseUlimit,
  parseWeightDevice,
  validateSysctl,
} from '../../resource-flags.ts';
import type { FlagValues } from '../../flags.ts';
import type { containerFlags } from './create-flags.ts';
import { parseMountFlag, parseTmpfsFlags, parseVolumeFlags } from './mount-options.ts';


/** docker's env-file format: KEY=VALUE lines, KEY alone takes the value from our environment. */
export function parseEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StatusError(125, `open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (/\s/.test(key)) throw new StatusError(125, `variable '${key}' contains whitespaces`);
    if (key === '') throw new StatusError(125, `no variable name on line '${line}'`);
    if (eq >= 0) out.push(line);
    else if (process.env[key] !== undefined) out.push(`${key}=${process.env[key]}`);
  }
  return out;
}

function envValue(e: string): string | undefined {
  if (e.includes('=')) return e;
  const v = process.env[e];
  return v === undefined ? undefined : `${e}=${v}`;
}

function parseLabelFile(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  } catch (err) {
    throw new StatusError(125, `open ${path}: ${(err as Error).message}`);
  }
}

/** A size flag (docker's RAMInBytes: "512m" is 512 MiB), with the flag named in the error. */
export function parseBytes(v: string, what: string): number {
  try {
    return parseRamInBytes(v);
  } catch (err) {
    throw new StatusError(125, `invalid argument ${JSON.stringify(v)} for ${JSON.stringify(what)} flag: ${(err as Error).message}`);
  }
}

/** -p [ip:][hostPort:]containerPort[/proto], with ranges (docker's nat.ParsePortSpecs). */
export function parsePublish(specs: readonly string[]): { exposed: Record<string, Record<string, never>>; bindings: Record<string, PortBinding[]> } {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const spec of specs) {
    let ports: PortSpecMapping[];
    try {
      ports = parsePortSpec(spec);
    } catch (err) {
      throw new StatusError(125, (err as Error).message);
    }
    for (const p of ports) {
      const key = `${p.containerPort}/${p.proto}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort });
    }
  }
  return { exposed, bindings };
}

export interface RunRequest {
  body: CreateContainerRequest;
  name?: string;
  attach: { stdin: boolean; stdout: boolean; stderr: boolean };
}

/** The flags of `create` (and the container options of `run`), parsed. */
export type CreateFlags = FlagValues<typeof containerFlags>;

type ListFlag = { [K in keyof CreateFlags]-?: NonNullable<CreateFlags[K]> extends string[] ? K : never }[keyof CreateFlags];

export function buildCreateRequest(f: CreateFlags, image: string, cmd: string[], options: { detach: boolean }): RunRequest {
  const list = (k: ListFlag): string[] => f[k] ?? [];
  const env = [...list('env-file').flatMap(parseEnvFile), ...list('env').map(envValue).filter((e): e is string => e !== undefined)];
  const labels: Record<string, string> = {};
  for (const l of [...list('label-file').flatMap(parseLabelFile), ...list('label')]) {
    const eq = l.indexOf('=');
    if (eq === 0) throw new StatusError(125, `invalid label format: "${l}"`);
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  let attach = { stdin: false, stdout: false, stderr: false };
  const attachList = list('attach').map((a) => a.toLowerCase());
  if (options.detach && attachList.length) throw new StatusError(125, 'Conflicting options: -a and -d');
  if (!options.detach) {
    if (attachList.length) {
      for (const a of attachList) {
        if (a !== 'stdin' && a !== 'stdout' && a !== 'stderr') throw new StatusError(125, `invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
        attach[a] = true;
      }
    } else attach = { stdin: !!f.interactive, stdout: true, stderr: true };
  }
  if (f.rm && f.restart && f.restart !== 'no') throw new StatusError(125, 'conflicting options: cannot specify both --restart and --rm');

  const restart = parseRestart(f.restart ?? 'no');
  const healthcheck = parseHealthcheck(f);
  const publish = parsePublish(list('publish'));
  const exposed: Record<string, Record<string, never>> = { ...publish.exposed };
  for (const e of list('expose')) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(e);
    if (!m) throw new StatusError(125, `invalid range format for --expose: ${e}`);
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) exposed[`${p}/${m[3] ?? 'tcp'}`] = {};
  }
  // the docker CLI's ConvertKVStringsToMap: "key" alone is a key with an empty value
  const logOpts: Record<string, string> = {};
  for (const o of list('log-opt')) {
    const eq = o.indexOf('=');
    if (eq < 0) logOpts[o] = '';
    else logOpts[o.slice(0, eq)] = o.slice(eq + 1);
  }
  if (f['log-driver'] === 'none' && list('log-opt').length) throw new StatusError(125, 'invalid logging opts for driver none');
  const resources = resourceHostConfig(f);
  const security = securityHostConfig(f);
  const mountOpts = parseVolumeFlags(list('volume'));
  const network = f.network || f.net || 'default';
  const host: Partial<HostConfig> = {
    Binds: mountOpts.binds.length ? mountOpts.binds : null,
    ContainerIDFile: f.cidfile ?? '',
    LogConfig: { Type: f['log-driver'] ?? '', Config: logOpts },
    NetworkMode: network,
    PortBindings: publish.bindings,
    RestartPolicy: restart,
    AutoRemove: !!f.rm,
    VolumeDriver: '',
    VolumesFrom: list('volumes-from').length ? list('volumes-from') : null,
    ...(list('mount').length ? { Mounts: list('mount').map(parseMountFlag) } : {}),
    ...(list('tmpfs').length ? { Tmpfs: parseTmpfsFlags(list('tmpfs')) } : {}),
    ConsoleSize: [0, 0],
    CapAdd: list('cap-add').length ? list('cap-add') : null,
    CapDrop: list('cap-drop').length ? list('cap-drop') : null,
    Dns: list('dns'),
    DnsOptions: list('dns-option'),
    DnsSearch: list('dns-search'),
    ExtraHosts: list('add-host').length ? list('add-host').map(validateAddHost) : null,
    GroupAdd: list('group-add').length ? list('group-add') : null,
    Cgroup: '',
    Links: list('link').length ? list('link') : null,
    PublishAllPorts: !!f['publish-all'],
    ReadonlyRootfs: !!f['read-only'],
    Runtime: f.runtime ?? '',
    Isolation: '',
    ...security,
    ...resources,
    Init: f.init ? true : null,
  };
  const body: CreateContainerRequest = {
    Hostname: f.hostname ?? '',
    Domainname: '',
    User: f.user ?? '',
    AttachStdin: attach.stdin,
    AttachStdout: attach.stdout,
    AttachStderr: attach.stderr,
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    Tty: !!f.tty,
    OpenStdin: !!f.interactive,
    StdinOnce: attach.stdin && !options.detach,
    Env: env,
    Cmd: cmd.length ? cmd : null,
    Image: image,
    Volumes: mountOpts.volumes,
    WorkingDir: f.workdir ?? '',
    Entrypoint: f.entrypoint !== undefined ? [f.entrypoint] : null,
    OnBuild: null,
    Labels: labels,
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    ...(f['stop-signal'] ? { StopSignal: f['stop-signal'] } : {}),
    ...(f['stop-timeout'] !== undefined ? { StopTimeout: f['stop-timeout'] } : {}),
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: endpointsConfig(network, f.ip, list('network-alias')) },
    ...(f['mac-address'] ? { MacAddress: validateMac(f['mac-address']) } : {}),
  };
  return { body, ...(f.name ? { name: f.name } : {}), attach };
}

/** docker's --health-* and --no-healthcheck (cli/command/container/opts.go). */
export function parseHealthcheck(f: {
  'health-cmd'?: string;
  'health-interval'?: bigint;
  'health-timeout'?: bigint;
  'health-start-period'?: bigint;
  'health-start-interval'?: bigint;
  'health-retries'?: number;
  'no-healthcheck'?: boolean;
}): HealthConfig | undefined {
  const durations = ['interval', 'timeout', 'start-period', 'start-interval'] as const;
  const d = (k: (typeof durations)[number]) => f[`health-${k}`] ?? 0n;
  const retries = f['health-retries'] ?? 0;
  const any = !!f['health-cmd'] || durations.some((k) => d(k) !== 0n) || retries !== 0;
  if (f['no-healthcheck']) {
    if (any) throw new StatusError(125, '--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  for (const k of durations) if (d(k) < 0n) throw new StatusError(125, `--health-${k} cannot be negative`);
  if (retries < 0) throw new StatusError(125, '--health-retries cannot be negative');
  return {
    ...(f['health-cmd'] ? { Test: ['CMD-SHELL', f['health-cmd']] } : {}),
    Interval: Number(d('interval')),
    Timeout: Number(d('timeout')),
    StartPeriod: Number(d('start-period')),
    StartInterval: Number(d('start-interval')),
    Retries: retries,
  };
}

export function parseRestart(v: string): { Name: HostConfig['RestartPolicy']['Name']; MaximumRetryCount: number } {
  const [name, count] = v.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure', ''].includes(name)) throw new StatusError(125, `invalid restart policy ${name}`);
  if (count !== undefined) {
    if (name !== 'on-failure') throw new StatusError(125, `invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
    if (!/^\d+$/.test(count)) throw new StatusError(125, `invalid restart policy format: maximum retry count must be an integer`);
  }
  return { Name: (name || 'no') as HostConfig['RestartPolicy']['Name'], MaximumRetryCount: count ? Number(count) : 0 };
}

/** --ip and --network-alias configure the endpoint on the network the container starts on. */
function endpointsConfig(network: string, ip: string | undefined, aliases: string[]): Record<string, Partial<EndpointSettings>> {
  if (!ip && aliases.length === 0) return {};
  if (ip && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new StatusError(125, `invalid argument "${ip}" for "--ip" flag: invalid string being converted to IP address: ${ip}`);
  return { [network]: { ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}), ...(aliases.length ? { Aliases: aliases } : {}) } };
}

/** docker's ValidateExtraHost: host:ip (or host-gateway). */
function validateAddHost(v: string): string {
  const i = v.indexOf(':');
  if (i <= 0) throw new StatusError(125, `invalid argument "${v}" for "--add-host" flag: bad format for add-host: "${v}"`);
  const ip = v.slice(i + 1);
  if (ip !== 'host-gateway' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && !ip.includes(':')) {
    throw new StatusError(125, `invalid argument "${v}" for "--add-host" flag: invalid IP address in add-host: "${ip}"`);
  }
  return v;
}

function validateMac(v: string): string {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(v)) throw new StatusError(125, `${v} is not a valid mac address`);
  return v;
}

/** A flag value already checked by its flag's validate (so a throw here is a bug, not bad input). */
function bytes(v: string | undefined): number {
  return v ? parseRamInBytes(v) : 0;
}

/** The namespace, capability and security flags, checked as the docker CLI checks them (exit 125). */
function securityHostConfig(f: CreateFlags): Partial<HostConfig> {
  const pid = f.pid ?? '';
  if (pid !== '' && pid !== 'host' && !/^container:.+/.test(pid)) throw new StatusError(125, '--pid: invalid PID mode');
  const uts = f.uts ?? '';
  if (uts !== '' && uts !== 'host') throw new StatusError(125, '--uts: invalid UTS mode');
  const userns = f.userns ?? '';
  if (userns !== '' && userns !== 'host') throw new StatusError(125, '--userns: invalid USER mode');
  const cgroupns = f.cgroupns ?? '';
  if (!['', 'host', 'private'].includes(cgroupns)) throw new StatusError(125, '--cgroupns: invalid CGROUP mode');
  let sec;
  try {
    sec = parseSecurityOptFlags(f['security-opt'] ?? [], (path) => readFileSync(path, 'utf8'));
  } catch (err) {
    throw new StatusError(125, (err as Error).message);
  }
  const sysctls: Record<string, string> = {};
  for (const s of f.sysctl ?? []) {
    const [name, value] = validateSysctl(s);
    sysctls[name] = value;
  }
  return {
    CgroupnsMode: cgroupns,
    IpcMode: f.ipc ?? '',
    OomScoreAdj: f['oom-score-adj'] ?? 0,
    PidMode: pid,
    Privileged: !!f.privileged,
    SecurityOpt: sec.securityOpt.length ? sec.securityOpt : null,
    ...(sec.maskedPaths ? { MaskedPaths: sec.maskedPaths, ReadonlyPaths: sec.readonlyPaths ?? [] } : {}),
    UTSMode: uts,
    UsernsMode: userns,
    ShmSize: bytes(f['shm-size']),
    Sysctls: sysctls,
  };
}

/** The resource flags as HostConfig's Resources, as the docker CLI sends them. */
function resourceHostConfig(f: CreateFlags): Partial<HostConfig> & { KernelMemory: number } {
  const swappiness = f['memory-swappiness'];
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new StatusError(125, `invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  return {
    CgroupParent: f['cgroup-parent'] ?? '',
    BlkioWeight: f['blkio-weight'] ?? 0,
    BlkioWeightDevice: (f['blkio-weight-device'] ?? []).map(parseWeightDevice),
    BlkioDeviceReadBps: (f['device-read-bps'] ?? []).map(parseThrottleBps),
    BlkioDeviceWriteBps: (f['device-write-bps'] ?? []).map(parseThrottleBps),
    BlkioDeviceReadIOps: (f['device-read-iops'] ?? []).map(parseThrottleIops),
    BlkioDeviceWriteIOps: (f['device-write-iops'] ?? []).map(parseThrottleIops),
    CpuPeriod: f['cpu-period'] ?? 0,
    CpuQuota: f['cpu-quota'] ?? 0,
    CpuRealtimePeriod: f['cpu-rt-period'] ?? 0,
    CpuRealtimeRuntime: f['cpu-rt-runtime'] ?? 0,
    CpuShares: f['cpu-shares'] ?? 0,
    CpusetCpus: f['cpuset-cpus'] ?? '',
    CpusetMems: f['cpuset-mems'] ?? '',
    Devices: (f.device ?? []).map(parseDevice),
    DeviceCgroupRules: f['device-cgroup-rule'] ?? null,
    KernelMemory: bytes(f['kernel-memory']),
    Memory: bytes(f.memory),
    MemoryReservation: bytes(f['memory-reservation']),
    MemorySwap: f['memory-swap'] ? parseMemorySwap(f['memory-swap']) : 0,
    MemorySwappiness: swappiness,
    NanoCpus: f.cpus ? parseCpus(f.cpus) : 0,
    OomKillDisable: !!f['oom-kill-disable'],
    PidsLimit: f['pids-limit'] ?? 0,
    Ulimits: f.ulimit?.length ? f.ulimit.map(parseUlimit) : null,
  };
}
