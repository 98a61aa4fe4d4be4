// HostConfig → OCI spec, checked against what dockerd 20.10 wrote into config.json on this
// machine for the same options.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultHostConfig, type HostConfig } from '../types/index.ts';
import { devicesFromMapping, hostDevices, resolveDevices, type ResolvedDevices } from './devices.ts';
import { parseDeviceCgroupRule, parseSecurityOpt, rlimits, specFromHostConfig, updateResources, type HostSpecEnvironment } from './host-config.ts';
import { availableCapabilities, buildSpec, defaultCapabilities, effectiveCapabilities, parseSpec, serializeSpec, type SpecInput } from './spec.ts';

const noDevices: ResolvedDevices = { devices: [], rules: [], blockDevices: {} };
const env: HostSpecEnvironment = { arch: 'amd64', kernel: { major: 6, minor: 18 }, seccompAvailable: true, devices: noDevices };

const base: Omit<SpecInput, keyof ReturnType<typeof specFromHostConfig>> = {
  id: 'c1',
  rootfs: '/r',
  hostname: 'h',
  args: ['sleep', '1000'],
  env: [],
  cwd: '/',
  user: { uid: 0, gid: 0, additionalGids: [0, 123] },
  terminal: false,
  mounts: [],
  network: { mode: 'private' },
  cgroupsPath: '/berth/c1',
};

function host(over: Partial<HostConfig>): HostConfig {
  return { ...defaultHostConfig(), CgroupnsMode: 'host', ...over };
}

const MiB = 1024 * 1024;

describe('HostConfig to OCI spec', () => {
  it('matches dockerd for -m 100m --memory-swap 200m --memory-reservation 50m --memory-swappiness 30 --oom-kill-disable --oom-score-adj 100 --cpus 1.5 -c 512 --cpuset-cpus 0 --cpuset-mems 0 --pids-limit 50 --device-read-bps /dev/vda:1mb --device-write-iops /dev/vda:100 --ulimit nofile=1024:2048 --ulimit nproc=100 --sysctl … --device /dev/zero:/dev/myzero:r --device-cgroup-rule "c 42:* rmw" --cap-add NET_ADMIN --cap-drop chown --security-opt no-new-privileges', () => {
    const h = host({
      Memory: 100 * MiB,
      MemorySwap: 200 * MiB,
      MemoryReservation: 50 * MiB,
      MemorySwappiness: 30,
      OomKillDisable: true,
      OomScoreAdj: 100,
      NanoCpus: 1.5e9,
      CpuShares: 512,
      CpusetCpus: '0',
      CpusetMems: '0',
      PidsLimit: 50,
      BlkioDeviceReadBps: [{ Path: '/dev/vda', Rate: MiB }],
      BlkioDeviceWriteIOps: [{ Path: '/dev/vda', Rate: 100 }],
      Ulimits: [
        { Name: 'nofile', Hard: 2048, Soft: 1024 },
        { Name: 'nproc', Hard: 100, Soft: 100 },
      ],
      ShmSize: 32 * MiB,
      Sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000000' },
      DeviceCgroupRules: ['c 42:* rmw'],
      CapAdd: ['CAP_NET_ADMIN'],
      CapDrop: ['CAP_CHOWN'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
    });
    const devices: ResolvedDevices = {
      devices: [{ path: '/dev/myzero', type: 'c', major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0 }],
      rules: [{ allow: true, type: 'c', major: 1, minor: 5, access: 'r' }],
      blockDevices: { '/dev/vda': { major: 254, minor: 0 } },
    };
    const s = buildSpec({ ...base, ...specFromHostConfig(h, { ...env, devices }) });
    assert.deepEqual(
      { ...s.linux.resources, devices: undefined },
      {
        devices: undefined,
        memory: { limit: 104857600, reservation: 52428800, swap: 209715200, swappiness: 30, disableOOMKiller: true },
        cpu: { shares: 512, quota: 150000, period: 100000, cpus: '0', mems: '0' },
        pids: { limit: 50 },
        blockIO: { weight: 0, throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 100 }] },
      },
    );
    assert.deepEqual(s.linux.resources.devices.slice(-2), [
      { allow: true, type: 'c', major: 1, minor: 5, access: 'r' },
      { allow: true, type: 'c', major: 42, minor: -1, access: 'rmw' },
    ]);
    assert.deepEqual(s.linux.devices, [{ path: '/dev/myzero', type: 'c', major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0 }]);
    assert.deepEqual(s.process.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 2048, soft: 1024 },
      { type: 'RLIMIT_NPROC', hard: 100, soft: 100 },
    ]);
    assert.deepEqual(s.linux.sysctl, {
      'kernel.shmmax': '1000000',
      'net.ipv4.ip_forward': '1',
      'net.ipv4.ip_unprivileged_port_start': '0',
      'net.ipv4.ping_group_range': '0 2147483647',
    });
    assert.deepEqual(s.process.capabilities.bounding, [
      'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP',
      'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE', 'CAP_NET_ADMIN',
    ]);
    assert.equal(s.process.noNewPrivileges, true);
    assert.equal(s.process.oomScoreAdj, 100);
    assert.equal(s.root.readonly, true);
    assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['mount', 'network', 'uts', 'pid', 'ipc']);
    assert.ok(s.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=33554432'));
    assert.deepEqual(s.linux.seccomp!.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });

  it("a container with no limits gets dockerd's empty resources and no rlimits", () => {
    const s = buildSpec({ ...base, ...specFromHostConfig(host({ OomKillDisable: false }), env) });
    assert.deepEqual({ ...s.linux.resources, devices: undefined }, { devices: undefined, memory: { disableOOMKiller: false }, cpu: { shares: 0 }, blockIO: { weight: 0 } });
    assert.equal(s.process.rlimits, undefined);
  });

  it('--ulimit nofile=-1 reaches runc as RLIM_INFINITY, and survives a round trip through config.json', () => {
    const r = rlimits([{ Name: 'nofile', Soft: -1, Hard: -1 }], [{ Name: 'nproc', Soft: 10, Hard: 20 }, { Name: 'nofile', Soft: 1, Hard: 1 }]);
    assert.deepEqual(r, [
      { type: 'RLIMIT_NOFILE', hard: 18446744073709551615n, soft: 18446744073709551615n },
      { type: 'RLIMIT_NPROC', hard: 20, soft: 10 },
    ]);
    const s = buildSpec({ ...base, ...specFromHostConfig(host({ Ulimits: [{ Name: 'nofile', Soft: -1, Hard: -1 }] }), env) });
    const text = serializeSpec(s);
    assert.match(text, /"rlimits":\[\{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":18446744073709551615\}\]/);
    assert.equal(serializeSpec(parseSpec(text)), text);
  });

  it('--privileged: every capability, no seccomp, no masks, all devices allowed and the host devices created', () => {
    const hostDevs: ResolvedDevices = { devices: [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 438, uid: 0, gid: 0 }], rules: [], blockDevices: {} };
    const s = buildSpec({ ...base, ...specFromHostConfig(host({ Privileged: true, SecurityOpt: ['seccomp=builtin'] }), { ...env, devices: hostDevs }) });
    assert.equal(s.linux.seccomp, undefined);
    assert.deepEqual(s.process.capabilities.bounding, availableCapabilities());
    assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.deepEqual(s.linux.maskedPaths, []);
    assert.deepEqual(s.linux.devices, hostDevs.devices);
  });

  it('--security-opt seccomp=unconfined|builtin|<profile JSON>, and the daemon-wide profile', () => {
    const seccomp = (opts: string[], e: Partial<HostSpecEnvironment> = {}) => buildSpec({ ...base, ...specFromHostConfig(host({ SecurityOpt: opts }), { ...env, ...e }) }).linux.seccomp;
    assert.equal(seccomp(['seccomp=unconfined']), undefined);
    assert.equal(seccomp(['seccomp:unconfined']), undefined, 'the deprecated ":" separator');
    assert.equal(seccomp([])!.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(seccomp(['seccomp=builtin'])!.syscalls!.length, seccomp([])!.syscalls!.length);
    const custom = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
    assert.deepEqual(seccomp([`seccomp=${custom}`]), { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
    assert.equal(seccomp([], { daemonSeccompProfile: 'unconfined' }), undefined);
    assert.equal(seccomp([], { daemonSeccompProfile: custom })!.defaultAction, 'SCMP_ACT_ALLOW');
    assert.equal(seccomp([], { seccompAvailable: false }), undefined, 'no seccomp in the kernel: no default filter');
    assert.throws(() => seccomp([`seccomp=${custom}`], { seccompAvailable: false }), /seccomp is not enabled in your kernel, cannot run a custom seccomp profile/);
    assert.throws(() => seccomp(['seccomp={bad']), /Decoding seccomp profile failed/);
  });

  it("parses --security-opt as dockerd does, with dockerd's errors", () => {
    assert.deepEqual(parseSecurityOpt(['no-new-privileges', 'label=disable', 'apparmor=foo', 'label:user:x']), { noNewPrivileges: true, labels: ['disable', 'user:x'], apparmorProfile: 'foo' });
    assert.deepEqual(parseSecurityOpt(['no-new-privileges=false']), { noNewPrivileges: false, labels: [] });
    assert.throws(() => parseSecurityOpt(['foo']), /^InvalidArgument: invalid --security-opt 1: "foo"$/);
    assert.throws(() => parseSecurityOpt(['foo=bar']), /^InvalidArgument: invalid --security-opt 2: "foo=bar"$/);
    assert.throws(() => parseSecurityOpt(['no-new-privileges=maybe']), /invalid --security-opt 2: "no-new-privileges=maybe"/);
    assert.throws(() => parseSecurityOpt(['systempaths=unconfined']), /invalid --security-opt 2/, 'the docker CLI turns this one into empty masked paths');
  });

  it('namespaces: --pid/--ipc host and container:, --ipc none, --uts host, --cgroupns private', () => {
    const spec = (over: Partial<HostConfig>, e: Partial<HostSpecEnvironment> = {}) => buildSpec({ ...base, ...specFromHostConfig(host(over), { ...env, ...e }) });
    let s = spec({ PidMode: 'host', IpcMode: 'host', UTSMode: 'host', CgroupnsMode: 'private' });
    assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }, { type: 'network' }, { type: 'cgroup' }]);
    assert.deepEqual(s.mounts.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
    assert.equal(s.hostname, '');
    s = spec({ PidMode: 'container:db', IpcMode: 'container:db' }, { pidNamespaceOf: 4242, ipcNamespaceOf: 4242, shmSource: '/var/lib/berth/containers/db/mounts/shm' });
    assert.deepEqual(s.linux.namespaces.filter((n) => n.path), [
      { type: 'pid', path: '/proc/4242/ns/pid' },
      { type: 'ipc', path: '/proc/4242/ns/ipc' },
    ]);
    assert.equal(s.mounts.find((m) => m.destination === '/dev/shm')!.source, '/var/lib/berth/containers/db/mounts/shm');
    assert.equal(spec({ IpcMode: 'shareable' }, { shmSource: '/c/mounts/shm' }).mounts.find((m) => m.destination === '/dev/shm')!.source, '/c/mounts/shm');
    assert.throws(() => spec({ IpcMode: 'shareable' }), /needs the shared \/dev\/shm/);
    s = spec({ IpcMode: 'none' });
    assert.ok(s.linux.namespaces.some((n) => n.type === 'ipc'));
    assert.equal(s.mounts.find((m) => m.destination === '/dev/shm'), undefined);
    assert.throws(() => spec({ PidMode: 'container:db' }), /not running/);
    assert.throws(() => spec({ UTSMode: 'container:x' }), /invalid UTS mode: container:x/);
  });

  it('lets a container with its own network namespace ping and bind low ports; not on the host network or a shared one', () => {
    const sysctl = (mode: string, over: Partial<HostConfig> = {}) => specFromHostConfig(host({ NetworkMode: mode, ...over }), env).sysctls;
    const defaults = { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' };
    assert.deepEqual(sysctl('default'), defaults);
    assert.deepEqual(sysctl('none'), defaults);
    assert.deepEqual(sysctl('mynet', { Sysctls: { 'net.ipv4.ping_group_range': '1 2' } }), { ...defaults, 'net.ipv4.ping_group_range': '1 2' });
    assert.deepEqual(sysctl('host'), {});
    assert.deepEqual(sysctl('container:web'), {});
  });

  it('userns-remap: a user namespace with the mappings', () => {
    const idMappings = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
    const s = buildSpec({ ...base, ...specFromHostConfig(host({}), { ...env, idMappings }) });
    assert.ok(s.linux.namespaces.some((n) => n.type === 'user'));
    assert.deepEqual([s.linux.uidMappings, s.linux.gidMappings], [idMappings.uidMappings, idMappings.gidMappings]);
  });

  it('--device-cgroup-rule: dockerd\'s format and message', () => {
    assert.deepEqual(parseDeviceCgroupRule('b 8:* rw'), { allow: true, type: 'b', major: 8, minor: -1, access: 'rw' });
    assert.deepEqual(parseDeviceCgroupRule('a *:* m'), { allow: true, type: 'a', major: -1, minor: -1, access: 'm' });
    assert.throws(() => parseDeviceCgroupRule('x'), /^InvalidArgument: invalid device cgroup rule format: 'x'$/);
  });

  it('CpuShares below zero fails as in dockerd', () => {
    assert.throws(() => specFromHostConfig(host({ CpuShares: -1 }), env), /shares: invalid argument/);
  });

  it("docker update applies the request's values only: NanoCPUs as quota over 100 ms, swap only when positive", () => {
    assert.deepEqual(updateResources({ NanoCpus: 5e8, Memory: 300 * MiB, MemorySwap: 400 * MiB, PidsLimit: -1 }), {
      cpu: { shares: 0, period: 100000, quota: 50000 },
      memory: { limit: 300 * MiB, reservation: 0, swap: 400 * MiB },
      pids: { limit: -1 },
    });
    assert.deepEqual(updateResources({ BlkioWeight: 300, CpusetCpus: '1', CpuPeriod: 50000, MemorySwap: -1 }), {
      blockIO: { weight: 300 },
      cpu: { shares: 0, cpus: '1', period: 50000, quota: 0 },
      memory: { limit: 0, reservation: 0 },
    });
  });
});

describe('host devices', () => {
  it('--device /dev/zero:/dev/myzero:r as dockerd made it', async () => {
    assert.deepEqual(await devicesFromMapping({ PathOnHost: '/dev/zero', PathInContainer: '/dev/myzero', CgroupPermissions: 'r' }), {
      devices: [{ path: '/dev/myzero', type: 'c', major: 1, minor: 5, fileMode: 438, uid: 0, gid: 0 }],
      rules: [{ allow: true, type: 'c', major: 1, minor: 5, access: 'r' }],
    });
  });

  it("refuses what is not a device, with dockerd's messages", async () => {
    await assert.rejects(devicesFromMapping({ PathOnHost: '/dev/nonexistent', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }), {
      message: 'error gathering device information while adding custom device "/dev/nonexistent": no such file or directory',
    });
    await assert.rejects(devicesFromMapping({ PathOnHost: '/etc/passwd', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }), {
      message: 'error gathering device information while adding custom device "/etc/passwd": not a device node',
    });
    await assert.rejects(resolveDevices({ ...defaultHostConfig(), BlkioDeviceReadBps: [{ Path: '/dev/nonexistent', Rate: 1 }] }), { message: 'stat /dev/nonexistent: no such file or directory' });
  });

  it('--privileged gets the host devices, without pts, shm or the console', async () => {
    const all = await hostDevices();
    assert.ok(all.some((d) => d.path === '/dev/null' && d.major === 1 && d.minor === 3));
    assert.ok(!all.some((d) => d.path.startsWith('/dev/pts/') || d.path === '/dev/console'));
    const r = await resolveDevices({ ...defaultHostConfig(), Privileged: true, Devices: [{ PathOnHost: '/dev/nonexistent', PathInContainer: '/x', CgroupPermissions: 'rwm' }] });
    assert.equal(r.rules.length, 0, 'privileged ignores --device, as dockerd does');
    assert.ok(r.devices.length >= all.length);
  });

  it('finds the numbers of block I/O devices', async () => {
    const r = await resolveDevices({ ...defaultHostConfig(), BlkioDeviceWriteBps: [{ Path: '/dev/null', Rate: 1 }] });
    assert.deepEqual(r.blockDevices, { '/dev/null': { major: 1, minor: 3 } });
  });
});

describe('capabilities', () => {
  it('follows dockerd: add ALL minus drops; drop ALL keeps the adds; else defaults less drops plus adds', () => {
    const eff = (capAdd: string[], capDrop: string[]) => effectiveCapabilities({ privileged: false, capAdd, capDrop });
    assert.deepEqual(eff(['ALL'], ['chown']), availableCapabilities().filter((c) => c !== 'CAP_CHOWN'));
    assert.deepEqual(eff(['ALL'], ['ALL']), availableCapabilities(), 'ALL added wins over ALL dropped');
    assert.deepEqual(eff(['net_admin', 'CAP_SYS_TIME'], ['all']), ['CAP_NET_ADMIN', 'CAP_SYS_TIME']);
    assert.deepEqual(eff(['chown'], ['chown']), [...defaultCapabilities.filter((c) => c !== 'CAP_CHOWN'), 'CAP_CHOWN'], 'dropped, then added back at the end');
    assert.throws(() => eff(['FOO'], []), /^InvalidArgument: unknown capability: "CAP_FOO"$/);
  });
});
