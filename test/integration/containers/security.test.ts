// Security settings felt by real containers: Docker's default seccomp profile (unshare, mount and
// keyctl blocked; seccomp=unconfined and user profiles), no-new-privileges, capabilities,
// --privileged, read-only root file systems, devices and device rules, sysctls, and the namespace
// flags (--ipc, --pid, --uts, --cgroupns), --group-add, --oom-score-adj and --cgroup-parent.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let keyctl: string;

/**
 * A 160-byte static x86-64 program that calls keyctl(KEYCTL_GET_KEYRING_ID, session keyring,
 * create) and exits with 0, or with the errno it got: busybox has no keyctl, and the test wants
 * the bare system call.
 */
function keyctlProgram(path: string): string {
  if (process.arch !== 'x64') throw new Error(`the keyctl probe is x86-64 code; this machine is ${process.arch}`);
  const code = Buffer.from('b8fa00000031ffbefdffffffba010000000f054885c0790748f7d889c7eb0231ffb83c0000000f05', 'hex');
  const base = 0x400000n;
  const header = Buffer.alloc(120);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(header, 0);
  header.writeUInt16LE(2, 16); // executable
  header.writeUInt16LE(0x3e, 18); // x86-64
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(base + 120n, 24); // entry: right after the headers
  header.writeBigUInt64LE(64n, 32); // program headers
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(1, 56);
  const size = BigInt(120 + code.length);
  header.writeUInt32LE(1, 64); // PT_LOAD
  header.writeUInt32LE(5, 68); // r-x
  header.writeBigUInt64LE(base, 80);
  header.writeBigUInt64LE(base, 88);
  header.writeBigUInt64LE(size, 96);
  header.writeBigUInt64LE(size, 104);
  header.writeBigUInt64LE(0x1000n, 112);
  writeFileSync(path, Buffer.concat([header, code]));
  chmodSync(path, 0o755);
  return path;
}

before(async () => {
  d = await startDaemon();
  d.berthOk(['pull', 'busybox']);
  keyctl = keyctlProgram(join(d.base, 'keyctl'));
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const run = (args: string[]) => d.berth(['run', '--rm', '--network', 'none', ...args]);

describe('seccomp', () => {
  it('the default profile blocks unshare, mount and keyctl; unconfined allows them', () => {
    const probe = ['-v', `${keyctl}:/keyctl:ro`, 'busybox'];
    assert.equal(ok(['run', '--rm', 'busybox', 'grep', '^Seccomp:', '/proc/self/status']), 'Seccomp:\t2\n');
    const blocked = run(['busybox', 'unshare', '-U', 'true']);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /unshare\(0x10000000\): Operation not permitted/);
    assert.notEqual(run(['busybox', 'unshare', '-Urm', 'mount', '-t', 'tmpfs', 't', '/tmp']).code, 0);
    assert.equal(run([...probe.slice(0, 2), 'busybox', '/keyctl']).code, 1, 'keyctl: EPERM');

    const unconfined = ['--security-opt', 'seccomp=unconfined'];
    assert.equal(run([...unconfined, 'busybox', 'grep', '^Seccomp:', '/proc/self/status']).stdout, 'Seccomp:\t0\n');
    assert.equal(run([...unconfined, 'busybox', 'unshare', '-U', 'true']).code, 0);
    assert.equal(run([...unconfined, 'busybox', 'unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs t /tmp && grep -c " /tmp tmpfs" /proc/mounts']).stdout, '1\n');
    assert.equal(run([...unconfined, ...probe.slice(0, 2), 'busybox', '/keyctl']).code, 0);
  });

  it('takes a profile file (the CLI sends its JSON), and says why a bad one fails', () => {
    const profile = join(d.base, 'no-mkdir.json');
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }, null, 2));
    const r = run(['--security-opt', `seccomp=${profile}`, 'busybox', 'mkdir', '/tmp/x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Operation not permitted/);
    const missing = run(['--security-opt', 'seccomp=/nonexistent.json', 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /opening seccomp profile \(\/nonexistent\.json\) failed: open \/nonexistent\.json: no such file or directory/);
  });

  it('no-new-privileges sets NoNewPrivs; apparmor= and label= are accepted without effect on this host', () => {
    assert.equal(run(['--security-opt', 'no-new-privileges', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']).stdout, 'NoNewPrivs:\t1\n');
    assert.equal(run(['busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']).stdout, 'NoNewPrivs:\t0\n');
    assert.equal(run(['--security-opt', 'apparmor=docker-default', '--security-opt', 'label=disable', 'busybox', 'true']).code, 0);
    const bad = run(['--security-opt', 'bogus', 'busybox', 'true']);
    assert.deepEqual([bad.code, bad.stderr], [125, "berth: Invalid --security-opt: \"bogus\"\n\nRun 'berth run --help' for more information\n"]);
  });
});

describe('capabilities', () => {
  it('--cap-drop CHOWN makes chown fail; --cap-add takes names with or without CAP_, in any case', () => {
    const r = run(['--cap-drop', 'CHOWN', 'busybox', 'chown', '1', '/tmp']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /chown: \/tmp: Operation not permitted/);
    assert.equal(run(['busybox', 'chown', '1', '/tmp']).code, 0);
    // CAP_NET_ADMIN is bit 12
    const eff = (args: string[]) => BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec(run([...args, 'busybox', 'grep', 'CapEff', '/proc/self/status']).stdout)![1]}`);
    assert.ok(eff(['--cap-add', 'net_admin']) & (1n << 12n));
    assert.ok(eff(['--cap-add', 'CAP_NET_ADMIN']) & (1n << 12n));
    assert.equal(eff(['--cap-drop', 'ALL', '--cap-add', 'chown']), 1n);
    const unknown = run(['--cap-add', 'nope', 'busybox', 'true']);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /invalid CapAdd: unknown capability: "CAP_NOPE"/);
  });

  it("--privileged: the host's devices, nothing masked, no seccomp, every capability berthd holds", () => {
    const probe = 'ls /dev/kmsg; grep ^Seccomp: /proc/self/status; grep -c " /proc/keys " /proc/mounts; grep CapBnd /proc/self/status';
    const own = /CapBnd:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    assert.equal(run(['--privileged', 'busybox', 'sh', '-c', probe]).stdout, `/dev/kmsg\nSeccomp:\t0\n0\nCapBnd:\t${own}\n`);
    // unprivileged: no kmsg, a filter, /proc/keys masked by a mount
    assert.match(run(['busybox', 'sh', '-c', probe]).stdout, /^Seccomp:\t2\n1\nCapBnd:\t00000000a80425fb\n$/);
  });
});

describe('file systems and devices', () => {
  it('--read-only leaves /dev/shm and --tmpfs writable', () => {
    const r = run(['--read-only', '--tmpfs', '/scratch', 'busybox', 'sh', '-c', 'touch /dev/shm/a && touch /scratch/b && echo ok; touch /c']);
    assert.equal(r.stdout, 'ok\n');
    assert.match(r.stderr, /touch: \/c: Read-only file system/);
  });

  it('--device with permissions, --device-cgroup-rule', () => {
    // /dev/fuse (10:229, open to everyone on the host) is not among the default devices: the
    // mapping's permissions are all it gets
    const r = run(['--device', '/dev/fuse:/dev/myfuse:r', 'busybox', 'sh', '-c', 'true < /dev/myfuse && echo read; true > /dev/myfuse || echo nowrite']);
    assert.equal(r.stdout, 'read\nnowrite\n');
    assert.match(r.stderr, /Operation not permitted/);
    // mknod is allowed by the default rules; opening the node only with a rule for it
    const node = 'mknod /tmp/f c 10 229 && true < /tmp/f && echo opened';
    assert.equal(run(['busybox', 'sh', '-c', node]).stdout, '');
    assert.equal(run(['--device-cgroup-rule', 'c 10:229 r', 'busybox', 'sh', '-c', node]).stdout, 'opened\n');
  });

  it('--sysctl sets namespaced sysctls and refuses the others', () => {
    assert.equal(run(['--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmax=1048576', 'busybox', 'sh', '-c', 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax']).stdout, '1\n1048576\n');
    const r = run(['--sysctl', 'kernel.hostname=x', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /invalid argument "kernel.hostname=x" for "--sysctl" flag: sysctl 'kernel.hostname=x' is not allowed/);
  });
});

describe('namespaces and process settings', () => {
  it('--ipc shareable/container:, --pid container:, --pid host, --uts host, --cgroupns private', () => {
    const donor = ok(['run', '-d', '--ipc', 'shareable', 'busybox', 'sh', '-c', 'echo shared > /dev/shm/mark; sleep 1000']).trim();
    try {
      assert.equal(run(['--ipc', `container:${donor}`, '--pid', `container:${donor}`, 'busybox', 'sh', '-c', 'cat /dev/shm/mark; ps -o comm | grep -c sleep']).stdout, 'shared\n1\n');
      const privateDonor = ok(['run', '-d', 'busybox', 'sleep', '1000']).trim();
      const r = run(['--ipc', `container:${privateDonor}`, 'busybox', 'true']);
      assert.match(r.stderr, /non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/);
      ok(['rm', '-f', privateDonor]);
    } finally {
      ok(['rm', '-f', donor]);
    }
    assert.equal(run(['--uts', 'host', 'busybox', 'hostname']).stdout.trim(), readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
    // the host's PID namespace: its init and this test's own process are in view
    assert.equal(run(['--pid', 'host', 'busybox', 'sh', '-c', `cat /proc/1/comm; test -d /proc/${process.pid} && echo seen`]).stdout, `${readFileSync('/proc/1/comm', 'utf8')}seen\n`);
    assert.equal(run(['--cgroupns', 'private', 'busybox', 'sh', '-c', 'grep memory /proc/self/cgroup']).stdout, '4:memory:/\n');
    assert.match(run(['busybox', 'grep', 'memory', '/proc/self/cgroup']).stdout, new RegExp(`^4:memory:/${d.cgroupParent}/[0-9a-f]{64}\\n$`));
  });

  it('--group-add, --oom-score-adj and --cgroup-parent', () => {
    assert.equal(run(['--group-add', '1234', '-u', 'nobody', 'busybox', 'id', '-G']).stdout, '65534 1234\n');
    assert.equal(run(['--oom-score-adj', '500', 'busybox', 'cat', '/proc/self/oom_score_adj']).stdout, '500\n');
    const parent = `${d.cgroupParent}-custom`;
    try {
      assert.match(run(['--cgroup-parent', parent, 'busybox', 'grep', 'pids', '/proc/self/cgroup']).stdout, new RegExp(`:pids:/${parent}/[0-9a-f]{64}\\n`));
    } finally {
      // the container's own cgroup went with it; the parent runc made is ours to remove
      for (const c of ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'systemd', 'unified']) {
        try {
          rmdirSync(`/sys/fs/cgroup/${c}/${parent}`);
        } catch {
          // not made in this hierarchy
        }
      }
    }
  });
});
