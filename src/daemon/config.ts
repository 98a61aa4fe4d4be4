// berthd's configuration: dockerd's flags and daemon.json keys, merged with dockerd's rules
// (a key may come from the file or from a flag, not both; unknown keys are an error), and the few
// settings that come from the environment. (Beyond these, only the PATH conmon inherits and
// lib/fault.ts's BERTH_FAULT test hook are taken from process.env.)
import { readFileSync } from 'node:fs';
import { InvalidArgument } from '../errors/index.ts';
import { isLogLevel, parseRamInBytes, parseUlimit, type LogLevel } from '../lib/index.ts';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  configFile: string;
  logLevel: LogLevel;
  debug: boolean;
  bridge: string;
  bip: string;
  mtu: number;
  dns: string[];
  dnsSearch: string[];
  dnsOpts: string[];
  insecureRegistries: string[];
  registryMirrors: string[];
  logDriver: string;
  logOpts: Record<string, string>;
  storageDriver: string;
  execOpts: string[];
  /**
   * Containers outlive berthd (conmon holds them), which is dockerd's live restore; false makes
   * berthd stop the running containers when it shuts down, as dockerd does without it.
   */
  liveRestore: boolean;
  /** Seconds berthd waits at shutdown for the containers it stops (without live restore). */
  shutdownTimeout: number;
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  defaultRuntime: string;
  runtimes: Record<string, { path: string; runtimeArgs?: string[] }>;
  cgroupParent: string;
  tlsverify: boolean;
  tlscacert: string;
  tlscert: string;
  tlskey: string;
  labels: string[];
  defaultUlimits: Record<string, { Name: string; Soft: number; Hard: number }>;
  /** default-shm-size in bytes (dockerd: 64 MiB). */
  defaultShmSize: number;
  /** default-ipc-mode: "private" or "shareable". */
  defaultIpcMode: string;
  /** default-cgroupns-mode: "host" or "private"; "" picks dockerd's default for the host's cgroup version. */
  defaultCgroupnsMode: string;
  /** seccomp-profile: a profile's path, "unconfined" or "builtin"; "" for the built-in profile. */
  seccompProfile: string;
  /** no-new-privileges for every new container. */
  noNewPrivileges: boolean;
  /** userns-remap: "default", "user", "user:group" (names or ids); "" for no user namespace. */
  usernsRemap: string;
  iptables: boolean;
  ipForward: boolean;
  userlandProxy: boolean;
  /** Berth's own registry, run by berthd (daemon.json `registry`: addr, root, config, tls-cert, tls-key). */
  registry: RegistrySection | undefined;
  // From the environment only:
  /** BERTH_IPTABLES_CHAIN: the prefix of Berth's iptables chains (test daemons beside a real one each get their own). */
  iptablesChain: string;
  /** BERTH_REGISTRY_CHUNK_SIZE: push layers in chunked uploads of this many bytes (for registries that need them); 0: docker's one streamed PATCH. */
  registryChunkSize: number;
  /** PATH: where runc, conmon and tini are looked for (before the usual system directories). */
  searchPath: string[];
  /** HTTP_PROXY, HTTPS_PROXY, NO_PROXY, as GET /info reports them. */
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** daemon.json's `registry` section: Berth's registry run by berthd. */
export interface RegistrySection {
  addr?: string;
  root?: string;
  config?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
}

export function defaultConfig(): DaemonConfig {
  return {
    hosts: [],
    dataRoot: '/var/lib/berth',
    execRoot: '/run/berth',
    pidfile: '',
    configFile: '/etc/berth/daemon.json',
    logLevel: 'info',
    debug: false,
    bridge: '',
    bip: '',
    mtu: 1500,
    dns: [],
    dnsSearch: [],
    dnsOpts: [],
    insecureRegistries: [],
    registryMirrors: [],
    logDriver: 'json-file',
    logOpts: {},
    storageDriver: 'overlay2',
    execOpts: [],
    // Berth's containers always survived its restarts: live restore is its default
    liveRestore: true,
    shutdownTimeout: 15,
    maxConcurrentDownloads: 3,
    maxConcurrentUploads: 5,
    defaultRuntime: 'runc',
    runtimes: {},
    cgroupParent: 'berth',
    tlsverify: false,
    tlscacert: '',
    tlscert: '',
    tlskey: '',
    labels: [],
    defaultUlimits: {},
    defaultShmSize: 64 * 1024 * 1024,
    defaultIpcMode: 'private',
    defaultCgroupnsMode: '',
    seccompProfile: '',
    noNewPrivileges: false,
    usernsRemap: '',
    iptables: true,
    ipForward: true,
    userlandProxy: true,
    registry: undefined,
    iptablesChain: 'BERTH',
    registryChunkSize: 0,
    searchPath: [],
    httpProxy: '',
    httpsProxy: '',
    noProxy: '',
  };
}

/** The settings berthd takes from its environment. */
export function environmentConfig(env: NodeJS.ProcessEnv): Pick<DaemonConfig, 'iptablesChain' | 'registryChunkSize' | 'searchPath' | 'httpProxy' | 'httpsProxy' | 'noProxy'> {
  const chunk = Number(env.BERTH_REGISTRY_CHUNK_SIZE);
  return {
    iptablesChain: env.BERTH_IPTABLES_CHAIN || 'BERTH',
    registryChunkSize: chunk > 0 ? chunk : 0,
    searchPath: (env.PATH ?? '').split(':').filter(Boolean),
    httpProxy: env.HTTP_PROXY ?? '',
    httpsProxy: env.HTTPS_PROXY ?? '',
    noProxy: env.NO_PROXY ?? '',
  };
}

/** bytes: a size ("64M") given as a string; ulimits: "name=soft[:hard]" flags, an object in the file. */
type Kind = 'string' | 'bool' | 'int' | 'list' | 'map' | 'object' | 'bytes' | 'ulimits';

interface Option {
  key: keyof DaemonConfig;
  /** The daemon.json key (dockerd's name). */
  file: string;
  /** Long flag name; undefined for file-only keys. */
  flag?: string;
  short?: string;
  kind: Kind;
  usage: string;
}

const options: Option[] = [
  { key: 'hosts', file: 'hosts', flag: 'host', short: 'H', kind: 'list', usage: 'Daemon socket(s) to connect to' },
  { key: 'dataRoot', file: 'data-root', flag: 'data-root', kind: 'string', usage: 'Root directory of persistent Berth state' },
  { key: 'execRoot', file: 'exec-root', flag: 'exec-root', kind: 'string', usage: 'Root directory for execution state files' },
  { key: 'pidfile', file: 'pidfile', flag: 'pidfile', short: 'p', kind: 'string', usage: 'Path to use for daemon PID file' },
  { key: 'logLevel', file: 'log-level', flag: 'log-level', short: 'l', kind: 'string', usage: 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal")' },
  { key: 'debug', file: 'debug', flag: 'debug', short: 'D', kind: 'bool', usage: 'Enable debug mode' },
  { key: 'bridge', file: 'bridge', flag: 'bridge', short: 'b', kind: 'string', usage: 'Attach containers to a network bridge' },
  { key: 'bip', file: 'bip', flag: 'bip', kind: 'string', usage: 'Specify network bridge IP' },
  { key: 'mtu', file: 'mtu', flag: 'mtu', kind: 'int', usage: 'Set the containers network MTU' },
  { key: 'dns', file: 'dns', flag: 'dns', kind: 'list', usage: 'DNS server to use' },
  { key: 'dnsSearch', file: 'dns-search', flag: 'dns-search', kind: 'list', usage: 'DNS search domains to use' },
  { key: 'dnsOpts', file: 'dns-opts', flag: 'dns-opt', kind: 'list', usage: 'DNS options to use' },
  { key: 'insecureRegistries', file: 'insecure-registries', flag: 'insecure-registry', kind: 'list', usage: 'Enable insecure registry communication' },
  { key: 'registryMirrors', file: 'registry-mirrors', flag: 'registry-mirror', kind: 'list', usage: 'Preferred registry mirror' },
  { key: 'logDriver', file: 'log-driver', flag: 'log-driver', kind: 'string', usage: 'Default driver for container logs' },
  { key: 'logOpts', file: 'log-opts', flag: 'log-opt', kind: 'map', usage: 'Default log driver options for containers' },
  { key: 'storageDriver', file: 'storage-driver', flag: 'storage-driver', short: 's', kind: 'string', usage: 'Storage driver to use' },
  { key: 'execOpts', file: 'exec-opts', flag: 'exec-opt', kind: 'list', usage: 'Runtime execution options' },
  { key: 'liveRestore', file: 'live-restore', flag: 'live-restore', kind: 'bool', usage: 'Enable live restore of containers when the daemon restarts' },
  { key: 'shutdownTimeout', file: 'shutdown-timeout', flag: 'shutdown-timeout', kind: 'int', usage: 'Set the default shutdown timeout' },
  { key: 'maxConcurrentDownloads', file: 'max-concurrent-downloads', flag: 'max-concurrent-downloads', kind: 'int', usage: 'Set the max concurrent downloads' },
  { key: 'maxConcurrentUploads', file: 'max-concurrent-uploads', flag: 'max-concurrent-uploads', kind: 'int', usage: 'Set the max concurrent uploads' },
  { key: 'defaultRuntime', file: 'default-runtime', flag: 'default-runtime', kind: 'string', usage: 'Default OCI runtime for containers' },
  { key: 'runtimes', file: 'runtimes', kind: 'object', usage: 'Additional OCI runtimes' },
  { key: 'cgroupParent', file: 'cgroup-parent', flag: 'cgroup-parent', kind: 'string', usage: 'Set parent cgroup for all containers' },
  { key: 'tlsverify', file: 'tlsverify', flag: 'tlsverify', kind: 'bool', usage: 'Use TLS and verify the remote' },
  { key: 'tlscacert', file: 'tlscacert', flag: 'tlscacert', kind: 'string', usage: 'Trust certs signed only by this CA' },
  { key: 'tlscert', file: 'tlscert', flag: 'tlscert', kind: 'string', usage: 'Path to TLS certificate file' },
  { key: 'tlskey', file: 'tlskey', flag: 'tlskey', kind: 'string', usage: 'Path to TLS key file' },
  { key: 'labels', file: 'labels', flag: 'label', kind: 'list', usage: 'Set key=value labels to the daemon' },
  { key: 'defaultUlimits', file: 'default-ulimits', flag: 'default-ulimit', kind: 'ulimits', usage: 'Default ulimits for containers' },
  { key: 'defaultShmSize', file: 'default-shm-size', flag: 'default-shm-size', kind: 'bytes', usage: 'Default shm size for containers' },
  { key: 'defaultIpcMode', file: 'default-ipc-mode', flag: 'default-ipc-mode', kind: 'string', usage: 'Default mode for containers ipc ("shareable" | "private")' },
  { key: 'defaultCgroupnsMode', file: 'default-cgroupns-mode', flag: 'default-cgroupns-mode', kind: 'string', usage: 'Default mode for containers cgroup namespace ("host" | "private")' },
  { key: 'seccompProfile', file: 'seccomp-profile', flag: 'seccomp-profile', kind: 'string', usage: 'Path to seccomp profile' },
  { key: 'noNewPrivileges', file: 'no-new-privileges', flag: 'no-new-privileges', kind: 'bool', usage: 'Set no-new-privileges by default for new containers' },
  { key: 'usernsRemap', file: 'userns-remap', flag: 'userns-remap', kind: 'string', usage: 'User/Group setting for user namespaces' },
  { key: 'registry', file: 'registry', kind: 'object', usage: "Run Berth's registry too" },
  { key: 'iptables', file: 'iptables', flag: 'iptables', kind: 'bool', usage: 'Enable addition of iptables rules' },
  { key: 'ipForward', file: 'ip-forward', flag: 'ip-forward', kind: 'bool', usage: 'Enable net.ipv4.ip_forward' },
  { key: 'userlandProxy', file: 'userland-proxy', flag: 'userland-proxy', kind: 'bool', usage: 'Use userland proxy for loopback traffic' },
];

/** daemon.json keys dockerd accepts that Berth takes without acting on them yet. */
const acceptedFileKeys = new Set(['storage-opts', 'experimental', 'features', 'default-address-pools', 'tls', 'ipv6', 'fixed-cidr', 'fixed-cidr-v6', 'default-gateway', 'icc', 'ip', 'ip-masq', 'containerd', 'log-format', 'group', 'oom-score-adjust', 'init', 'init-path']);

export function usage(): string {
  const lines = ['Usage:\tberthd [OPTIONS]', '', 'A self-sufficient runtime for containers.', '', 'Options:'];
  const rows = options
    .filter((o) => o.flag)
    .map((o) => [`${o.short ? `-${o.short}, ` : '    '}--${o.flag}${o.kind === 'bool' ? '' : ` ${valueName(o.kind)}`}`, o.usage]);
  rows.push(['    --config-file string', 'Daemon configuration file (default "/etc/berth/daemon.json")']);
  rows.push(['-h, --help', 'Print usage']);
  rows.push(['-v, --version', 'Print version information and quit']);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b] of rows) lines.push(`  ${a.padEnd(w)}   ${b}`);
  return lines.join('\n') + '\n';
}

function valueName(kind: Kind): string {
  if (kind === 'list' || kind === 'map') return 'list';
  if (kind === 'ulimits') return 'ulimit';
  return kind;
}

export interface ParsedArgs {
  values: Partial<DaemonConfig>;
  /** daemon.json keys given as flags, for the conflict check. */
  flagKeys: Set<string>;
  configFile?: string;
  help: boolean;
  version: boolean;
}

function setValue(values: Partial<DaemonConfig>, o: Option, raw: string): void {
  const v = values as Record<string, unknown>;
  switch (o.kind) {
    case 'string':
      v[o.key] = raw;
      break;
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(raw)) throw new InvalidArgument(`invalid argument "${raw}" for "--${o.flag}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
      v[o.key] = raw === 'true' || raw === '1';
      break;
    case 'int':
      if (!/^-?\d+$/.test(raw)) throw new InvalidArgument(`invalid argument "${raw}" for "--${o.flag}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      v[o.key] = Number(raw);
      break;
    case 'list':
      v[o.key] = [...((v[o.key] as string[] | undefined) ?? []), raw];
      break;
    case 'map': {
      const eq = raw.indexOf('=');
      if (eq <= 0) throw new InvalidArgument(`invalid argument "${raw}" for "--${o.flag}" flag: invalid key value pair format`);
      v[o.key] = { ...((v[o.key] as Record<string, string> | undefined) ?? {}), [raw.slice(0, eq)]: raw.slice(eq + 1) };
      break;
    }
    case 'bytes':
      v[o.key] = flagBytes(raw, o);
      break;
    case 'ulimits': {
      let u;
      try {
        u = parseUlimit(raw);
      } catch (err) {
        throw new InvalidArgument(`invalid argument "${raw}" for "--${o.flag}" flag: ${(err as Error).message}`);
      }
      v[o.key] = { ...((v[o.key] as Record<string, unknown> | undefined) ?? {}), [u.Name]: u };
      break;
    }
    default:
      throw new InvalidArgument(`--${o.flag} cannot be given as a flag`);
  }
}

function flagBytes(raw: string, o: Option): number {
  try {
    return parseRamInBytes(raw);
  } catch (err) {
    throw new InvalidArgument(`invalid argument "${raw}" for "--${o.flag}" flag: ${(err as Error).message}`);
  }
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { values: {}, flagKeys: new Set(), help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (arg === '-v' || arg === '--version') {
      out.version = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-' ) throw new InvalidArgument(`berthd: '${arg}' is not a berthd command.\nSee 'berthd --help'`);
    let name: string;
    let inline: string | undefined;
    let option: Option | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (name === 'config-file') {
        out.configFile = inline ?? argv[++i];
        if (out.configFile === undefined) throw new InvalidArgument('flag needs an argument: --config-file');
        continue;
      }
      option = options.find((o) => o.flag === name);
      if (!option) throw new InvalidArgument(`unknown flag: --${name}`);
    } else {
      name = arg[1];
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined;
      option = options.find((o) => o.short === name);
      if (!option) throw new InvalidArgument(`unknown shorthand flag: '${name}' in ${arg}`);
    }
    let raw: string;
    if (option.kind === 'bool') raw = inline ?? 'true';
    else {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new InvalidArgument(`flag needs an argument: ${arg.startsWith('--') ? arg : `'${name}' in ${arg}`}`);
      raw = next;
    }
    setValue(out.values, option, raw);
    out.flagKeys.add(option.file);
  }
  return out;
}

/** Reads daemon.json; a missing default file is fine, a missing explicit one is an error. */
export function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as { code?: string }).code === 'ENOENT') return {};
    throw new InvalidArgument(`unable to configure the Berth daemon with file ${path}: ${(err as Error).message}`);
  }
  if (text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('the file must hold a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgument(`unable to configure the Berth daemon with file ${path}: ${(err as Error).message}`);
  }
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { config: DaemonConfig; help: boolean; version: boolean } {
  const args = parseArgs(argv);
  const config = defaultConfig();
  const configFile = args.configFile ?? config.configFile;
  const file = args.help || args.version ? {} : readConfigFile(configFile, args.configFile !== undefined);
  const unknown = Object.keys(file).filter((k) => !options.some((o) => o.file === k) && !acceptedFileKeys.has(k));
  if (unknown.length) {
    throw new InvalidArgument(`the following directives don't match any configuration option: ${unknown.join(', ')}`);
  }
  const both = Object.keys(file).filter((k) => args.flagKeys.has(k));
  if (both.length) {
    const o = (k: string) => options.find((x) => x.file === k)!;
    const describe = both.map((k) => `${k}: (from flag: ${JSON.stringify((args.values as Record<string, unknown>)[o(k).key])}, from file: ${JSON.stringify(file[k])})`);
    throw new InvalidArgument(`the following directives are specified both as a flag and in the configuration file: ${describe.join(', ')}`);
  }
  for (const o of options) {
    if (!(o.file in file)) continue;
    const v = file[o.file];
    const bad = () => new InvalidArgument(`unable to configure the Berth daemon with file ${configFile}: "${o.file}" has the wrong type`);
    if (o.kind === 'string' && typeof v !== 'string') throw bad();
    if (o.kind === 'bool' && typeof v !== 'boolean') throw bad();
    if (o.kind === 'int' && !Number.isInteger(v)) throw bad();
    if (o.kind === 'list' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw bad();
    if ((o.kind === 'map' || o.kind === 'object' || o.kind === 'ulimits') && (typeof v !== 'object' || v === null || Array.isArray(v))) throw bad();
    if (o.kind === 'bytes') {
      if (typeof v !== 'string' && !Number.isInteger(v)) throw bad();
      try {
        (config as unknown as Record<string, unknown>)[o.key] = typeof v === 'number' ? v : parseRamInBytes(v as string);
      } catch (err) {
        throw new InvalidArgument(`unable to configure the Berth daemon with file ${configFile}: ${o.file}: ${(err as Error).message}`);
      }
      continue;
    }
    if (o.kind === 'ulimits') {
      (config as unknown as Record<string, unknown>)[o.key] = fileUlimits(v as Record<string, unknown>, configFile);
      continue;
    }
    (config as unknown as Record<string, unknown>)[o.key] = v;
  }
  Object.assign(config, args.values, environmentConfig(env));
  config.configFile = configFile;
  if (config.debug) config.logLevel = 'debug';
  if ((config.logLevel as string) === 'warning') config.logLevel = 'warn';
  if (!isLogLevel(config.logLevel)) throw new InvalidArgument(`unable to parse logging level: ${config.logLevel}`);
  // dockerd's checks; 0 means the default
  if (config.maxConcurrentDownloads < 0) throw new InvalidArgument(`invalid max concurrent downloads: ${config.maxConcurrentDownloads}`);
  if (config.maxConcurrentUploads < 0) throw new InvalidArgument(`invalid max concurrent uploads: ${config.maxConcurrentUploads}`);
  config.maxConcurrentDownloads ||= 3;
  config.maxConcurrentUploads ||= 5;
  if (config.defaultRuntime !== 'runc' && !Object.hasOwn(config.runtimes, config.defaultRuntime)) {
    throw new InvalidArgument(`default runtime ${config.defaultRuntime} cannot be found: it is neither runc nor one of "runtimes"`);
  }
  if (config.storageDriver !== 'overlay2') throw new InvalidArgument(`error initializing graphdriver: driver not supported: ${config.storageDriver}`);
  if (config.registry) {
    const unknownKeys = Object.keys(config.registry).filter((k) => !['addr', 'root', 'config', 'tls-cert', 'tls-key'].includes(k));
    if (unknownKeys.length) throw new InvalidArgument(`unable to configure the Berth daemon with file ${configFile}: unknown registry keys: ${unknownKeys.join(', ')} (addr, root, config, tls-cert, tls-key)`);
    for (const [k, v] of Object.entries(config.registry)) if (typeof v !== 'string') throw new InvalidArgument(`unable to configure the Berth daemon with file ${configFile}: registry.${k} must be a string`);
  }
  verifyNamespaceDefaults(config);
  if (config.hosts.length === 0) config.hosts = ['unix:///run/berth/berth.sock'];
  if (!config.pidfile) config.pidfile = `${config.execRoot}/berthd.pid`;
  for (const h of config.hosts) {
    if (h.startsWith('tcp://') && !(config.tlscert && config.tlskey)) {
      throw new InvalidArgument(`refusing to listen on ${h} without TLS: set --tlscert and --tlskey (and --tlsverify --tlscacert to check clients)`);
    }
    if (!h.startsWith('unix://') && !h.startsWith('tcp://') && !h.startsWith('fd://')) throw new InvalidArgument(`invalid host format: ${h}`);
  }
  return { config, help: args.help, version: args.version };
}

/** daemon.json default-ulimits: {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048}}, checked as dockerd's opts do. */
function fileUlimits(v: Record<string, unknown>, configFile: string): DaemonConfig['defaultUlimits'] {
  const out: DaemonConfig['defaultUlimits'] = {};
  for (const [name, raw] of Object.entries(v)) {
    const u = raw as { Name?: unknown; Soft?: unknown; Hard?: unknown };
    if (typeof u !== 'object' || u === null || !Number.isInteger(u.Soft) || !Number.isInteger(u.Hard)) {
      throw new InvalidArgument(`unable to configure the Berth daemon with file ${configFile}: default-ulimits.${name}: want {"Name": …, "Soft": <int>, "Hard": <int>}`);
    }
    const uname = typeof u.Name === 'string' && u.Name ? u.Name : name;
    try {
      out[uname] = parseUlimit(`${uname}=${u.Soft as number}:${u.Hard as number}`);
    } catch (err) {
      throw new InvalidArgument(`unable to configure the Berth daemon with file ${configFile}: default-ulimits: ${(err as Error).message}`);
    }
  }
  return out;
}

/** dockerd's verifyDefaultIpcMode and verifyDefaultCgroupNsMode. */
function verifyNamespaceDefaults(config: DaemonConfig): void {
  const hint = 'use "shareable" or "private"';
  const ipc = config.defaultIpcMode;
  const validIpc = ['', 'host', 'private', 'shareable', 'none'].includes(ipc) || (ipc.startsWith('container:') && ipc.length > 'container:'.length);
  if (!validIpc) throw new InvalidArgument(`default IPC mode setting (${ipc}) is invalid; ${hint}`);
  if (ipc !== '' && ipc !== 'private' && ipc !== 'shareable') throw new InvalidArgument(`IPC mode "${ipc}" is not supported as default value; ${hint}`);
  if (!['', 'host', 'private'].includes(config.defaultCgroupnsMode)) {
    throw new InvalidArgument(`default cgroup namespace mode (${config.defaultCgroupnsMode}) is invalid; use "host" or "private"`);
  }
}

/** The daemon.json keys dockerd applies on SIGHUP (the others wait for a restart). */
export const reloadableKeys = [
  'debug',
  'log-level',
  'labels',
  'insecure-registries',
  'registry-mirrors',
  'max-concurrent-downloads',
  'max-concurrent-uploads',
  'live-restore',
  'default-runtime',
  'shutdown-timeout',
] as const;

/**
 * SIGHUP: the configuration read again with the flags berthd was started with. Only the
 * reloadable keys the file sets take their new values (dockerd's IsValueSet); an invalid file
 * throws and nothing changes. Returns the new configuration.
 */
export function reloadConfig(current: DaemonConfig, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const fresh = loadConfig(argv, env).config;
  const file = readConfigFile(fresh.configFile, false);
  const next: DaemonConfig = { ...current };
  for (const key of reloadableKeys) {
    if (!(key in file)) continue;
    const o = options.find((x) => x.file === key)!;
    (next as unknown as Record<string, unknown>)[o.key] = fresh[o.key];
  }
  if ('debug' in file || 'log-level' in file) next.logLevel = fresh.logLevel;
  return next;
}
