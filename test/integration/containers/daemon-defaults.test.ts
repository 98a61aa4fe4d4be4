// daemon.json's settings for containers, on a real berthd: default ulimits, /dev/shm size, IPC and
// cgroup namespace modes, the daemon's seccomp profile and no-new-privileges — felt by containers
// and shown by `info` as dockerd shows them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

const files = mkdtempSync('/tmp/berth-it-defaults-');
const profile = join(files, 'no-mkdir.json');
let d: TestDaemon;

before(async () => {
  writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
  d = await startDaemon({
    config: {
      'default-ulimits': { nofile: { Name: 'nofile', Soft: 4096, Hard: 8192 } },
      'default-shm-size': '32M',
      'default-ipc-mode': 'shareable',
      'default-cgroupns-mode': 'private',
      'seccomp-profile': profile,
      'no-new-privileges': true,
    },
  });
  d.berthOk(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
  rmSync(files, { recursive: true, force: true });
});

const ok = (args: string[]) => d.berthOk(args);

describe('daemon defaults for containers', () => {
  it('default-ulimits, default-shm-size, default-ipc-mode and default-cgroupns-mode reach new containers', () => {
    assert.equal(ok(['run', '--rm', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1; grep memory /proc/self/cgroup']), '4096\n8192\nshm                      32768         0     32768   0% /dev/shm\n4:memory:/\n');
    assert.equal(ok(['run', '--rm', '--ulimit', 'nofile=100:200', 'busybox', 'sh', '-c', 'ulimit -n']), '100\n');
    const id = ok(['create', 'busybox', 'true']).trim();
    assert.equal(ok(['inspect', '-f', '{{.HostConfig.IpcMode}} {{.HostConfig.CgroupnsMode}} {{.HostConfig.ShmSize}}', id]), `shareable private ${32 * 1024 * 1024}\n`);
    ok(['rm', id]);
  });

  it("the daemon's seccomp profile and no-new-privileges apply unless a container says otherwise", () => {
    const denied = d.berth(['run', '--rm', 'busybox', 'mkdir', '/tmp/x']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Operation not permitted/);
    assert.equal(ok(['run', '--rm', '--security-opt', 'seccomp=builtin', 'busybox', 'mkdir', '/tmp/x']), '');
    assert.equal(ok(['run', '--rm', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']), 'NoNewPrivs:\t1\n');
    assert.equal(ok(['run', '--rm', '--security-opt', 'no-new-privileges=false', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']), 'NoNewPrivs:\t0\n');
  });

  it('info names the profile, no-new-privileges and the cgroup namespaces, and warns about the profile', () => {
    const info = JSON.parse(ok(['info', '--format', '{{json .}}'])) as { SecurityOptions: string[]; Warnings: string[]; CgroupVersion: string; CPUSet: boolean; PidsLimit: boolean };
    assert.deepEqual(info.SecurityOptions, [`name=seccomp,profile=${profile}`, 'name=cgroupns', 'name=no-new-privileges']);
    assert.ok(info.Warnings.includes('WARNING: daemon is not using the default seccomp profile'));
    assert.deepEqual([info.CgroupVersion, info.CPUSet, info.PidsLimit], ['1', true, true]);
  });
});
