// The flags of `run` and `create`: docker's container options, as a table only (their meaning is
// in create-request.ts and mount-options.ts), so the specs can list them without loading that.
import type { FlagSpecs } from '../../flags.ts';
import {
  parseCpus,
  parseDevice,
  parseMemorySwap,
  parseThrottleBps,
  parseThrottleIops,
  parseUlimit,
  parseWeightDevice,
  validateBytes,
  validateDeviceCgroupRule,
  validateSysctl,
  validateUint16,
} from '../../resource-flags.ts';

/** -v, --mount, --tmpfs, --volumes-from, --volume-driver. */
const mountFlags = {
  volume: { type: 'stringArray', short: 'v', usage: 'Bind mount a volume', valueName: 'list' },
  mount: { type: 'stringArray', usage: 'Attach a filesystem mount to the container', valueName: 'mount' },
  tmpfs: { type: 'stringArray', usage: 'Mount a tmpfs directory', valueName: 'list' },
  'volumes-from': { type: 'stringArray', usage: 'Mount volumes from the specified container(s)', valueName: 'list' },
  'volume-driver': { type: 'string', usage: 'Optional volume driver for the container' },
} as const satisfies FlagSpecs;

/**
 * The limits `update` can change too, with docker's names, types and help; values are checked as
 * they are parsed (docker's opts types), so a bad one fails with pflag's message.
 */
export const updatableResourceFlags = {
  'blkio-weight': { type: 'int', usage: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', valueName: 'uint16', validate: validateUint16 },
  'cpu-period': { type: 'int', usage: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  'cpu-quota': { type: 'int', usage: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  'cpu-rt-period': { type: 'int', usage: 'Limit CPU real-time period in microseconds' },
  'cpu-rt-runtime': { type: 'int', usage: 'Limit CPU real-time runtime in microseconds' },
  'cpu-shares': { type: 'int', short: 'c', usage: 'CPU shares (relative weight)' },
  cpus: { type: 'string', usage: 'Number of CPUs', valueName: 'decimal', validate: (v: string) => void parseCpus(v) },
  'cpuset-cpus': { type: 'string', usage: 'CPUs in which to allow execution (0-3, 0,1)' },
  'cpuset-mems': { type: 'string', usage: 'MEMs in which to allow execution (0-3, 0,1)' },
  'kernel-memory': { type: 'string', usage: 'Kernel memory limit', valueName: 'bytes', validate: validateBytes },
  memory: { type: 'string', short: 'm', usage: 'Memory limit', valueName: 'bytes', validate: validateBytes },
  'memory-reservation': { type: 'string', usage: 'Memory soft limit', valueName: 'bytes', validate: validateBytes },
  'memory-swap': { type: 'string', usage: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", valueName: 'bytes', validate: (v: string) => void parseMemorySwap(v) },
  'pids-limit': { type: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
} as const satisfies FlagSpecs;

/** The resource, device and security flags of run and create beyond what update offers. */
const governanceFlags = {
  'blkio-weight-device': { type: 'stringArray', usage: 'Block IO weight (relative device weight)', valueName: 'list', validate: (v: string) => void parseWeightDevice(v) },
  'cgroup-parent': { type: 'string', usage: 'Optional parent cgroup for the container' },
  device: { type: 'stringArray', usage: 'Add a host device to the container', valueName: 'list', validate: (v: string) => void parseDevice(v) },
  'device-cgroup-rule': { type: 'stringArray', usage: 'Add a rule to the cgroup allowed devices list', valueName: 'list', validate: (v: string) => void validateDeviceCgroupRule(v) },
  'device-read-bps': { type: 'stringArray', usage: 'Limit read rate (bytes per second) from a device', valueName: 'list', validate: (v: string) => void parseThrottleBps(v) },
  'device-read-iops': { type: 'stringArray', usage: 'Limit read rate (IO per second) from a device', valueName: 'list', validate: (v: string) => void parseThrottleIops(v) },
  'device-write-bps': { type: 'stringArray', usage: 'Limit write rate (bytes per second) to a device', valueName: 'list', validate: (v: string) => void parseThrottleBps(v) },
  'device-write-iops': { type: 'stringArray', usage: 'Limit write rate (IO per second) to a device', valueName: 'list', validate: (v: string) => void parseThrottleIops(v) },
  'memory-swappiness': { type: 'int', usage: 'Tune container memory swappiness (0 to 100)', default: -1 },
  'oom-kill-disable': { type: 'bool', usage: 'Disable OOM Killer' },
  userns: { type: 'string', usage: 'User namespace to use' },
} as const satisfies FlagSpecs;

export const containerFlags = {
  ...updatableResourceFlags,
  ...governanceFlags,
  'add-host': { type: 'stringArray', usage: 'Add a custom host-to-IP mapping (host:ip)', valueName: 'list' },
  attach: { type: 'stringArray', short: 'a', usage: 'Attach to STDIN, STDOUT or STDERR', valueName: 'list' },
  'cap-add': { type: 'stringArray', usage: 'Add Linux capabilities', valueName: 'list' },
  'cap-drop': { type: 'stringArray', usage: 'Drop Linux capabilities', valueName: 'list' },
  cgroupns: {
    type: 'string',
    usage:
      "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)",
  },
  'cidfile': { type: 'string', usage: 'Write the container ID to the file' },
  dns: { type: 'stringArray', usage: 'Set custom DNS servers', valueName: 'list' },
  'dns-option': { type: 'stringArray', usage: 'Set DNS options', valueName: 'list' },
  'dns-search': { type: 'stringArray', usage: 'Set custom DNS search domains', valueName: 'list' },
  entrypoint: { type: 'string', usage: 'Overwrite the default ENTRYPOINT of the image' },
  env: { type: 'stringArray', short: 'e', usage: 'Set environment variables', valueName: 'list' },
  'env-file': { type: 'stringArray', usage: 'Read in a file of environment variables', valueName: 'list' },
  expose: { type: 'stringArray', usage: 'Expose a port or a range of ports', valueName: 'list' },
  'group-add': { type: 'stringArray', usage: 'Add additional groups to join', valueName: 'list' },
  'health-cmd': { type: 'string', usage: 'Command to run to check health' },
  'health-interval': { type: 'duration', usage: 'Time between running the check (ms|s|m|h) (default 0s)' },
  'health-retries': { type: 'int', usage: 'Consecutive failures needed to report unhealthy' },
  'health-start-interval': { type: 'duration', usage: 'Time between running the check during the start period (ms|s|m|h) (default 0s)' },
  'health-start-period': { type: 'duration', usage: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  'health-timeout': { type: 'duration', usage: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' },
  'no-healthcheck': { type: 'bool', usage: 'Disable any container-specified HEALTHCHECK' },
  hostname: { type: 'string', short: 'h', usage: 'Container host name' },
  init: { type: 'bool', usage: 'Run an init inside the container that forwards signals and reaps processes' },
  interactive: { type: 'bool', short: 'i', usage: 'Keep STDIN open even if not attached' },
  ipc: { type: 'string', usage: 'IPC mode to use' },
  label: { type: 'stringArray', short: 'l', usage: 'Set meta data on a container', valueName: 'list' },
  'label-file': { type: 'stringArray', usage: 'Read in a line delimited file of labels', valueName: 'list' },
  'log-driver': { type: 'string', usage: 'Logging driver for the container' },
  'log-opt': { type: 'stringArray', usage: 'Log driver options', valueName: 'list' },
  name: { type: 'string', usage: 'Assign a name to the container' },
  network: { type: 'string', usage: 'Connect a container to a network', valueName: 'network' },
  net: { type: 'string', hidden: true },
  ip: { type: 'string', usage: 'IPv4 address (e.g., 172.30.100.104)' },
  link: { type: 'stringArray', usage: 'Add link to another container', valueName: 'list' },
  'mac-address': { type: 'string', usage: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  'network-alias': { type: 'stringArray', usage: 'Add network-scoped alias for the container', valueName: 'list', aliases: ['net-alias'] },
  'oom-score-adj': { type: 'int', usage: "Tune host's OOM preferences (-1000 to 1000)" },
  pid: { type: 'string', usage: 'PID namespace to use' },
  platform: { type: 'string', usage: 'Set platform if server is multi-platform capable' },
  privileged: { type: 'bool', usage: 'Give extended privileges to this container' },
  publish: { type: 'stringArray', short: 'p', usage: "Publish a container's port(s) to the host", valueName: 'list' },
  'publish-all': { type: 'bool', short: 'P', usage: 'Publish all exposed ports to random ports' },
  pull: { type: 'string', usage: 'Pull image before running ("always", "missing", "never")', default: 'missing' },
  'read-only': { type: 'bool', usage: "Mount the container's root filesystem as read only" },
  restart: { type: 'string', usage: 'Restart policy to apply when a container exits', default: 'no' },
  rm: { type: 'bool', usage: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  runtime: { type: 'string', usage: 'Runtime to use for this container' },
  'security-opt': { type: 'stringArray', usage: 'Security Options', valueName: 'list' },
  'shm-size': { type: 'string', usage: 'Size of /dev/shm', valueName: 'bytes', validate: validateBytes },
  'stop-signal': { type: 'string', usage: 'Signal to stop the container' },
  'stop-timeout': { type: 'int', usage: 'Timeout (in seconds) to stop a container' },
  sysctl: { type: 'stringArray', usage: 'Sysctl options', valueName: 'map', validate: (v: string) => void validateSysctl(v) },
  tty: { type: 'bool', short: 't', usage: 'Allocate a pseudo-TTY' },
  ulimit: { type: 'stringArray', usage: 'Ulimit options', valueName: 'ulimit', validate: (v: string) => void parseUlimit(v) },
  user: { type: 'string', short: 'u', usage: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  uts: { type: 'string', usage: 'UTS namespace to use' },
  workdir: { type: 'string', short: 'w', usage: 'Working directory inside the container' },
  ...mountFlags,
} as const satisfies FlagSpecs;
