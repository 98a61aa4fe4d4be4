import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultSeccompProfile } from './seccomp-default.ts';
import { goArch, parseKernelVersion, parseSeccompProfile, seccompForSpec, type DockerSeccompProfile, type OciSeccomp } from './seccomp.ts';
import { allCapabilities, defaultCapabilities } from './spec.ts';

/** shared/reference/ beside the checkout (../shared from /work/main, ../../shared from a worktree). */
function referenceFile(name: string): string {
  for (let dir = join(import.meta.dirname, '..', '..'); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'reference', name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`shared/reference/${name} not found above ${import.meta.dirname}`);
}

// Docker's published default profile, read in place by the test only.
const reference = JSON.parse(readFileSync(referenceFile('seccomp-default.json'), 'utf8')) as DockerSeccompProfile;
const ours = defaultSeccompProfile();

/** Every (call, action, errno, args, conditions) the profile states, whatever its grouping. */
function statements(p: DockerSeccompProfile): string[] {
  const sortArr = (a?: string[]) => (a?.length ? [...a].sort() : undefined);
  const out = new Set<string>();
  for (const r of p.syscalls ?? []) {
    for (const name of r.names ?? [r.name!]) {
      const cond = (f?: { caps?: string[]; arches?: string[]; minKernel?: string }) =>
        f && (f.caps?.length || f.arches?.length || f.minKernel) ? { caps: sortArr(f.caps), arches: sortArr(f.arches), minKernel: f.minKernel } : undefined;
      out.add(JSON.stringify({ name, action: r.action, errno: r.errnoRet, args: (r.args ?? []).map((a) => ({ ...a, valueTwo: a.valueTwo ?? 0 })), inc: cond(r.includes), exc: cond(r.excludes) }));
    }
  }
  return [...out].sort();
}

/** What a filter does: per call, the set of (action, errno, argument conditions) that apply. */
function effect(s: OciSeccomp | undefined): unknown {
  if (!s) return undefined;
  const calls = new Map<string, string[]>();
  for (const r of s.syscalls ?? []) {
    for (const n of r.names) calls.set(n, [...(calls.get(n) ?? []), JSON.stringify({ a: r.action, e: r.errnoRet, args: r.args ?? [] })].sort());
  }
  return { defaultAction: s.defaultAction, errno: s.defaultErrnoRet, arches: s.architectures ?? [], calls: Object.fromEntries([...calls].sort(([a], [b]) => a.localeCompare(b))) };
}

const allowed = (s: OciSeccomp | undefined, name: string) => s!.syscalls!.some((r) => r.names.includes(name) && r.action === 'SCMP_ACT_ALLOW' && !r.args);

describe('default seccomp profile', () => {
  it("states exactly the rules of Docker's profile, with the same default action and errno", () => {
    assert.equal(ours.defaultAction, reference.defaultAction);
    assert.equal(ours.defaultErrnoRet, reference.defaultErrnoRet);
    const norm = (m: DockerSeccompProfile['archMap']) => (m ?? []).map((a) => ({ architecture: a.architecture, sub: a.subArchitectures ?? [] }));
    assert.deepEqual(norm(ours.archMap), norm(reference.archMap));
    const mine = statements(ours);
    const theirs = statements(reference);
    assert.deepEqual(mine.filter((s) => !theirs.includes(s)), [], 'rules Docker does not have');
    assert.deepEqual(theirs.filter((s) => !mine.includes(s)), [], 'rules of Docker missing here');
  });

  it('has the same effect on every architecture, for every capability set, on old and new kernels', () => {
    const arches = ['amd64', '386', 'arm64', 'arm', 's390x', 'ppc64le', 'riscv64', 'mips64le', 'loong64'];
    const capSets: string[][] = [[], defaultCapabilities, allCapabilities, ...allCapabilities.map((c) => [...defaultCapabilities, c])];
    let compared = 0;
    for (const arch of arches) {
      for (const capabilities of capSets) {
        for (const kernel of [{ major: 4, minor: 7 }, { major: 6, minor: 18 }]) {
          const target = { arch, capabilities, kernel };
          assert.deepEqual(effect(seccompForSpec(ours, target)), effect(seccompForSpec(reference, target)), `${arch} ${capabilities.join(',')} ${kernel.major}.${kernel.minor}`);
          compared++;
        }
      }
    }
    assert.equal(compared, arches.length * capSets.length * 2);
  });

  it('on this host with the default capabilities: blocks unshare, mount and keyctl; clone3 says ENOSYS', () => {
    const s = seccompForSpec(ours, { arch: 'amd64', capabilities: defaultCapabilities, kernel: { major: 6, minor: 18 } })!;
    assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
    for (const call of ['unshare', 'mount', 'keyctl', 'add_key', 'bpf', 'reboot', 'setns', 'init_module', 'io_uring_setup']) assert.equal(allowed(s, call), false, call);
    for (const call of ['read', 'execve', 'chroot', 'arch_prctl', 'ptrace', 'getrandom']) assert.equal(allowed(s, call), true, call);
    assert.deepEqual(s.syscalls!.find((r) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    assert.deepEqual(s.syscalls!.find((r) => r.names.includes('clone'))!.args, [{ index: 0, value: 0x7e020000, op: 'SCMP_CMP_MASKED_EQ' }]);
    const withAdmin = seccompForSpec(ours, { arch: 'amd64', capabilities: [...defaultCapabilities, 'CAP_SYS_ADMIN'], kernel: { major: 6, minor: 18 } })!;
    assert.equal(allowed(withAdmin, 'mount') && allowed(withAdmin, 'unshare') && allowed(withAdmin, 'clone3'), true);
  });
});

describe('seccomp profiles from users', () => {
  const target = { arch: 'amd64', capabilities: defaultCapabilities, kernel: { major: 6, minor: 1 } };

  it("converts Docker's format: name or names, conditions, architectures, flags", () => {
    const p = parseSeccompProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64'],
        flags: ['SECCOMP_FILTER_FLAG_LOG'],
        syscalls: [
          { name: 'mkdir', action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
          { names: ['chmod'], action: 'SCMP_ACT_ERRNO', includes: { minKernel: '7.0' } },
          { names: ['chown'], action: 'SCMP_ACT_KILL', excludes: { caps: ['CAP_CHOWN'] } },
          { names: ['fchown'], action: 'SCMP_ACT_KILL', includes: { arches: ['arm64'] } },
          { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
        ],
      }),
    );
    assert.deepEqual(seccompForSpec(p, target), {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      syscalls: [
        { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
      ],
    });
  });

  it("refuses what dockerd refuses, with dockerd's messages", () => {
    assert.throws(() => parseSeccompProfile('{bad'), /^InvalidArgument: Decoding seccomp profile failed: /);
    assert.throws(() => parseSeccompProfile('/etc/passwd'), /Decoding seccomp profile failed/);
    assert.throws(
      () => seccompForSpec({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] }] }, target),
      /both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'/,
    );
    assert.throws(() => seccompForSpec({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, target), /both 'name' and 'names'/);
  });

  it('an empty profile means no filter', () => {
    assert.equal(seccompForSpec(parseSeccompProfile('{}'), target), undefined);
  });

  it("names this host's architecture and kernel as Go and dockerd do", () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
    assert.deepEqual(parseKernelVersion('6.18.44-fc-v1272'), { major: 6, minor: 18 });
  });
});
