// The resource, device and security flags of run/create as the docker CLI 28 sends them in
// HostConfig, and its refusals (exit status 125 with its words).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseFlags } from '../../flags.ts';
import { StatusError } from '../../errors.ts';
import { buildCreateRequest, parsePublish } from './create-request.ts';
import { run } from './specs.ts';

const dir = mkdtempSync('/tmp/berth-create-request-test-');
after(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1024 * 1024;

function request(argv: string[]) {
  const parsed = parseFlags([...argv, 'busybox'], run.flags, { interspersed: false });
  return buildCreateRequest(parsed.flags, 'busybox', [], { detach: true }).body.HostConfig!;
}

describe('run/create: resource and security flags', () => {
  it('fills Resources as the docker CLI does, zero values included', () => {
    const h = request(['-m', '200M', '--memory-swap', '-1', '--memory-reservation', '100m', '--cpus', '1.5', '-c', '512', '--pids-limit', '50', '--cpuset-cpus', '0-1', '--oom-kill-disable', '--ulimit', 'nofile=1024:2048', '--blkio-weight', '300', '--device-read-bps', '/dev/sda:1mb', '--cgroup-parent', 'batch']);
    assert.deepEqual(
      [h.Memory, h.MemorySwap, h.MemoryReservation, h.NanoCpus, h.CpuShares, h.PidsLimit, h.CpusetCpus, h.OomKillDisable, h.BlkioWeight, h.CgroupParent, h.MemorySwappiness],
      [200 * MiB, -1, 100 * MiB, 1.5e9, 512, 50, '0-1', true, 300, 'batch', -1],
    );
    assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(h.BlkioDeviceReadBps, [{ Path: '/dev/sda', Rate: MiB }]);
    const plain = request([]);
    assert.deepEqual([plain.Memory, plain.PidsLimit, plain.Ulimits, plain.Devices, plain.BlkioWeightDevice, plain.OomKillDisable], [0, 0, null, [], [], false]);
  });

  it('devices, device rules, sysctls, namespaces and security options', () => {
    const profile = join(dir, 'p.json');
    writeFileSync(profile, '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": []\n}\n');
    const h = request(['--device', '/dev/fuse:/dev/f:r', '--device-cgroup-rule', 'c 10:229 rwm', '--sysctl', 'net.ipv4.ip_forward=1', '--ipc', 'shareable', '--pid', 'container:db', '--uts', 'host', '--userns', 'host', '--cgroupns', 'private', '--security-opt', `seccomp=${profile}`, '--security-opt', 'no-new-privileges', '--security-opt', 'systempaths=unconfined']);
    assert.deepEqual(h.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'r' }]);
    assert.deepEqual(h.DeviceCgroupRules, ['c 10:229 rwm']);
    assert.deepEqual(h.Sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.deepEqual([h.IpcMode, h.PidMode, h.UTSMode, h.UsernsMode, h.CgroupnsMode], ['shareable', 'container:db', 'host', 'host', 'private']);
    // the CLI sends the profile's JSON, compacted, and turns systempaths=unconfined into empty lists
    assert.deepEqual(h.SecurityOpt, ['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}', 'no-new-privileges']);
    assert.deepEqual([h.MaskedPaths, h.ReadonlyPaths], [[], []]);
  });

  it("refuses what the docker CLI refuses, in its words", () => {
    const refused = (argv: string[], message: string | RegExp) =>
      assert.throws(() => request(argv), (err: Error) => (typeof message === 'string' ? err.message === message : message.test(err.message)));
    refused(['--memory-swappiness', '200'], 'invalid value: 200. Valid memory swappiness range is 0-100');
    refused(['--pid', 'bogus'], '--pid: invalid PID mode');
    refused(['--uts', 'container:x'], '--uts: invalid UTS mode');
    refused(['--userns', 'private'], '--userns: invalid USER mode');
    refused(['--cgroupns', 'shared'], '--cgroupns: invalid CGROUP mode');
    refused(['--security-opt', 'bogus'], 'Invalid --security-opt: "bogus"');
    refused(['-m', 'lots'], /^invalid argument "lots" for "-m, --memory" flag: /);
    refused(['--cpus', '1/0'], 'invalid argument "1/0" for "--cpus" flag: failed to parse 1/0 as a rational number');
    refused(['--sysctl', 'kernel.hostname=x'], `invalid argument "kernel.hostname=x" for "--sysctl" flag: sysctl 'kernel.hostname=x' is not allowed`);
    refused(['--blkio-weight', '70000'], 'invalid argument "70000" for "--blkio-weight" flag: strconv.ParseUint: parsing "70000": value out of range');
    assert.throws(() => request(['--pid', 'bogus']), (err: Error) => err instanceof StatusError && err.status === 125);
  });
});

describe('parsePublish', () => {
  it('exposes every container port and binds it to its host port', () => {
    const r = parsePublish(['127.0.0.1:8000-8001:80-81', '53/udp']);
    assert.deepEqual(Object.keys(r.exposed), ['80/tcp', '81/tcp', '53/udp']);
    assert.deepEqual(r.bindings['81/tcp'], [{ HostIp: '127.0.0.1', HostPort: '8001' }]);
    assert.deepEqual(r.bindings['53/udp'], [{ HostIp: '', HostPort: '' }]);
  });

  it('fails with status 125 and the parser message', () => {
    assert.throws(
      () => parsePublish(['80:foo']),
      (err: unknown) => err instanceof StatusError && err.status === 125 && err.message === 'invalid containerPort: foo',
    );
  });
});
