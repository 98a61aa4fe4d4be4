// Values and messages as the docker CLI 28 gave them on this machine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCpus,
  parseDevice,
  parseMemorySwap,
  parseSecurityOptFlags,
  parseThrottleBps,
  parseThrottleIops,
  parseUlimit,
  parseWeightDevice,
  validateDeviceCgroupRule,
  validateSysctl,
} from './resource-flags.ts';

const fails = (fn: () => unknown, message: string) => assert.throws(fn, (err: Error) => err.message === message, message);

describe("docker CLI's resource flags", () => {
  it('--ulimit', () => {
    assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
    assert.deepEqual(parseUlimit('nproc=100'), { Name: 'nproc', Soft: 100, Hard: 100 });
    assert.deepEqual(parseUlimit('nofile=-1'), { Name: 'nofile', Soft: -1, Hard: -1 });
    assert.deepEqual(parseUlimit('core=0:-1'), { Name: 'core', Soft: 0, Hard: -1 });
    fails(() => parseUlimit('nofile'), 'invalid ulimit argument: nofile');
    fails(() => parseUlimit('foo=1'), 'invalid ulimit type: foo');
    fails(() => parseUlimit('nofile=1:2:3'), 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`');
    fails(() => parseUlimit('nofile=100:50'), 'ulimit soft limit must be less than or equal to hard limit: 100 > 50');
    fails(() => parseUlimit('nproc=unlimited'), 'strconv.ParseInt: parsing "unlimited": invalid syntax');
  });

  it('--cpus: rational numbers, in nanoCPUs', () => {
    assert.equal(parseCpus('1.5'), 1.5e9);
    assert.equal(parseCpus('0.5'), 5e8);
    assert.equal(parseCpus('3/2'), 1.5e9);
    assert.equal(parseCpus('2e-1'), 2e8);
    assert.equal(parseCpus('.25'), 2.5e8);
    fails(() => parseCpus('1.5x'), 'failed to parse 1.5x as a rational number');
    fails(() => parseCpus('0.0000000001'), 'value is too precise');
  });

  it('--device', () => {
    assert.deepEqual(parseDevice('/dev/zero:/dev/myzero:r'), { PathOnHost: '/dev/zero', PathInContainer: '/dev/myzero', CgroupPermissions: 'r' });
    assert.deepEqual(parseDevice('/dev/sda'), { PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rwm' });
    assert.deepEqual(parseDevice('/dev/sda:rw'), { PathOnHost: '/dev/sda', PathInContainer: '/dev/sda', CgroupPermissions: 'rw' });
    assert.deepEqual(parseDevice('/dev/sda:/dev/xvdc'), { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvdc', CgroupPermissions: 'rwm' });
    fails(() => parseDevice('/dev/null:rel'), 'rel is not an absolute path');
    fails(() => parseDevice('/dev/null:/x:rwx'), 'bad mode specified: rwx');
    fails(() => parseDevice(':/x'), 'bad format for path: :/x');
  });

  it('--device-cgroup-rule', () => {
    assert.equal(validateDeviceCgroupRule('c 42:* rmw'), 'c 42:* rmw');
    fails(() => validateDeviceCgroupRule('x'), "invalid device cgroup format 'x'");
  });

  it('--blkio-weight-device and --device-*-bps/iops', () => {
    assert.deepEqual(parseWeightDevice('/dev/vda:300'), { Path: '/dev/vda', Weight: 300 });
    fails(() => parseWeightDevice('/dev/vda'), 'bad format: /dev/vda');
    fails(() => parseWeightDevice('/dev/vda:2000'), 'invalid weight for device: /dev/vda:2000');
    fails(() => parseWeightDevice('/tmp:300'), 'bad format for device path: /tmp:300');
    assert.deepEqual(parseThrottleBps('/dev/vda:1mb'), { Path: '/dev/vda', Rate: 1048576 });
    fails(() => parseThrottleBps('/tmp:1mb'), 'bad format for device path: /tmp:1mb');
    fails(
      () => parseThrottleBps('/dev/vda:-1'),
      'invalid rate for device: /dev/vda:-1. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb',
    );
    assert.deepEqual(parseThrottleIops('/dev/vda:100'), { Path: '/dev/vda', Rate: 100 });
    fails(() => parseThrottleIops('/dev/vda:x'), 'invalid rate for device: /dev/vda:x. The correct format is <device-path>:<number>. Number must be a positive integer');
  });

  it('--memory-swap -1', () => {
    assert.equal(parseMemorySwap('-1'), -1);
    assert.equal(parseMemorySwap('300M'), 300 * 1024 * 1024);
  });

  it('--sysctl: only namespaced ones', () => {
    assert.deepEqual(validateSysctl('net.ipv4.ip_forward=1'), ['net.ipv4.ip_forward', '1']);
    assert.deepEqual(validateSysctl('kernel.shmmax=1000000'), ['kernel.shmmax', '1000000']);
    assert.deepEqual(validateSysctl('fs.mqueue.msg_max=20'), ['fs.mqueue.msg_max', '20']);
    fails(() => validateSysctl('kernel.xxx=1'), "sysctl 'kernel.xxx=1' is not allowed");
    fails(() => validateSysctl('kernel.msgmax'), "sysctl 'kernel.msgmax' is not allowed");
    fails(() => validateSysctl('net.core.somaxconn'), "sysctl 'net.core.somaxconn' is not allowed");
  });

  it('--security-opt: a seccomp file is sent as its compacted JSON; systempaths=unconfined stays client-side', () => {
    const files: Record<string, string> = { '/p.json': '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["a b"], "action": "SCMP_ACT_ERRNO", "args": [{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}] } ]\n}\n', '/bad.json': '{bad' };
    const read = (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[p];
    };
    assert.deepEqual(parseSecurityOptFlags(['seccomp=/p.json', 'no-new-privileges', 'seccomp=unconfined', 'systempaths=unconfined'], read), {
      securityOpt: [
        'seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a b"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}',
        'no-new-privileges',
        'seccomp=unconfined',
      ],
      maskedPaths: [],
      readonlyPaths: [],
    });
    fails(() => parseSecurityOptFlags(['foo'], read), 'Invalid --security-opt: "foo"');
    fails(() => parseSecurityOptFlags(['seccomp=/nonexistent'], read), 'opening seccomp profile (/nonexistent) failed: open /nonexistent: no such file or directory');
    assert.throws(() => parseSecurityOptFlags(['seccomp=/bad.json'], read), /^InvalidArgument: compacting json for seccomp profile \(\/bad.json\) failed: /);
  });
});
