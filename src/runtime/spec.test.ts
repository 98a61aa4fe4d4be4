import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableCapabilities, buildSpec, defaultCapabilities, effectiveCapabilities, type SpecInput } from './spec.ts';

const input: SpecInput = {
  id: 'c1',
  rootfs: '/r',
  readonlyRootfs: false,
  hostname: 'h',
  args: ['sh'],
  env: ['A=1'],
  cwd: '/',
  user: { uid: 0, gid: 0, additionalGids: [0] },
  terminal: false,
  privileged: false,
  capAdd: [],
  capDrop: [],
  mounts: [{ destination: '/etc/hosts', type: 'bind', source: '/x/hosts', options: ['rbind', 'rprivate'] }],
  network: { mode: 'private' },
  pid: { mode: 'private' },
  ipc: { mode: 'private' },
  uts: { mode: 'private' },
  cgroupns: 'private',
  cgroupsPath: '/berth/c1',
  shmSize: 67108864,
  maskedPaths: null,
  readonlyPaths: null,
};

describe('OCI spec', () => {
  it("uses docker's defaults: namespaces, mounts, masked and read-only paths, devices", () => {
    const s = buildSpec(input);
    assert.deepEqual(s.linux.namespaces.map((n) => n.type), ['mount', 'network', 'uts', 'pid', 'ipc', 'cgroup']);
    assert.deepEqual(s.mounts.map((m) => m.destination), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm', '/etc/hosts']);
    assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
    assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
    assert.deepEqual(s.linux.resources.devices[0], { allow: false, access: 'rwm' });
    assert.deepEqual(s.process.capabilities.bounding, defaultCapabilities);
    assert.equal(s.hostname, 'h');
    assert.equal(s.linux.cgroupsPath, '/berth/c1');
  });

  it('shares namespaces for host modes and joins a path', () => {
    const s = buildSpec({ ...input, network: { mode: 'path', path: '/proc/42/ns/net' }, pid: { mode: 'host' }, uts: { mode: 'host' } });
    assert.deepEqual(s.linux.namespaces, [{ type: 'mount' }, { type: 'network', path: '/proc/42/ns/net' }, { type: 'ipc' }, { type: 'cgroup' }]);
    assert.equal(s.hostname, '', 'no hostname without a UTS namespace');
  });

  it('privileged: every capability, no masks, all devices, writable /sys', () => {
    const s = buildSpec({ ...input, privileged: true });
    assert.ok(s.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
    // only what berthd itself holds: runc cannot grant more
    assert.deepEqual(s.process.capabilities.bounding, availableCapabilities());
    assert.deepEqual(s.linux.maskedPaths, []);
    assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.ok(!s.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  });

  it('--cap-add/--cap-drop, ALL included', () => {
    assert.deepEqual(effectiveCapabilities({ privileged: false, capAdd: [], capDrop: ['ALL'] }), []);
    assert.deepEqual(effectiveCapabilities({ privileged: false, capAdd: ['net_admin'], capDrop: ['ALL'] }), ['CAP_NET_ADMIN']);
    const dropped = effectiveCapabilities({ privileged: false, capAdd: [], capDrop: ['CAP_CHOWN', 'kill'] });
    assert.ok(!dropped.includes('CAP_CHOWN') && !dropped.includes('CAP_KILL'));
    assert.ok(effectiveCapabilities({ privileged: false, capAdd: ['ALL'], capDrop: [] }).includes('CAP_BPF'));
  });
});

describe('OCI spec: user namespaces', () => {
  const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] };
  const sys = (s: ReturnType<typeof buildSpec>) => s.mounts.find((m) => m.destination === '/sys')!;

  it('joins the user namespace made with the network namespace, and mounts sysfs there', () => {
    const s = buildSpec({ ...input, network: { mode: 'path', path: '/run/netns/x' }, userNamespace: { ...maps, path: '/run/netns/x-user' } });
    assert.deepEqual(s.linux.namespaces.find((n) => n.type === 'user'), { type: 'user', path: '/run/netns/x-user' });
    assert.deepEqual([s.linux.uidMappings, s.linux.gidMappings], [maps.uidMappings, maps.gidMappings]);
    assert.equal(sys(s).type, 'sysfs');
  });

  it("binds the host's /sys when it joins a network namespace its user namespace does not own", () => {
    const s = buildSpec({ ...input, network: { mode: 'path', path: '/proc/7/ns/net' }, userNamespace: maps });
    assert.deepEqual(s.linux.namespaces.find((n) => n.type === 'user'), { type: 'user' });
    assert.deepEqual(sys(s), { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
    // a network namespace of its own (--network none) is made inside the user namespace
    assert.equal(sys(buildSpec({ ...input, userNamespace: maps })).type, 'sysfs');
  });
});
