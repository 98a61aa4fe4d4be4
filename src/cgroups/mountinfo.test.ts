import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCgroupLayout, parseMountinfo } from './mountinfo.ts';

// This project's VM: v1 controllers, each in its own hierarchy, and a cgroup2 mount beside them.
const hybrid = `22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

// A systemd host of the cgroup v1 era: cpu and cpuacct share a hierarchy, optional fields present.
const legacy = `25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
28 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory
`;

const unified = `24 18 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe('cgroup mode from mountinfo', () => {
  it('a hybrid host keeps resources on v1 and notes the unified mount', () => {
    const l = detectCgroupLayout(hybrid);
    assert.equal(l.mode, 'v1');
    assert.equal(l.controllers.get('memory'), '/sys/fs/cgroup/memory');
    assert.equal(l.controllers.get('cpuacct'), '/sys/fs/cgroup/cpuacct');
    assert.equal(l.controllers.has('systemd'), false, 'name=systemd is not a controller…');
    assert.equal(l.named?.get('name=systemd'), '/sys/fs/cgroup/systemd', '…but a hierarchy runc makes cgroups in');
    assert.equal(l.unified, '/sys/fs/cgroup/unified');
  });

  it('co-mounted controllers share one mount point', () => {
    const l = detectCgroupLayout(legacy);
    assert.equal(l.mode, 'v1');
    assert.equal(l.controllers.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(l.controllers.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
    assert.equal(l.unified, undefined);
  });

  it('cgroup2 on /sys/fs/cgroup is v2', () => {
    const l = detectCgroupLayout(unified);
    assert.equal(l.mode, 'v2');
    assert.equal(l.unified, '/sys/fs/cgroup');
  });

  it('cgroup2 elsewhere with no v1 controller is still v2', () => {
    const l = detectCgroupLayout('40 31 0:38 / /mnt/cg rw,relatime - cgroup2 cgroup2 rw\n');
    assert.deepEqual([l.mode, l.unified], ['v2', '/mnt/cg']);
  });

  it('no cgroup mount at all is an error', () => {
    assert.throws(() => detectCgroupLayout('22 1 0:21 / /proc rw - proc proc rw\n'), /no cgroup file system is mounted/);
  });

  it('unescapes octal escapes in paths', () => {
    const [m] = parseMountinfo('50 31 0:40 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n');
    assert.equal(m.mountPoint, '/mnt/with space');
  });
});
