// The seeds' resource commands through the real docker CLI 28 against berthd: run with memory,
// swap, CPU and pids limits, stats --no-stream, update of limits and of the restart policy, and
// the security options docker info and run show.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst, dockerBin, dockerEnv } from '../helpers/docker-cli.ts';

const MiB = 1024 * 1024;
let d: TestDaemon;

const docker = (args: string[]): RunResult => dockerAgainst(d, args);
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const cgroup = (controller: string, id: string, file: string) => readFileSync(`/sys/fs/cgroup/${controller}/${d.cgroupParent}/${id}/${file}`, 'utf8').trim();

before(async () => {
  d = await startDaemon();
  ok(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
});

describe('docker CLI: limits, stats and update against berthd', () => {
  it('docker run -m 200M --memory-swap 300M, --cpus 1.5, -c 512, --pids-limit', () => {
    const id = ok(['run', '-d', '--name', 'web', '-m', '200M', '--memory-swap', '300M', '--cpus', '1.5', '-c', '512', '--pids-limit', '1000', 'busybox', 'sleep', '1000']).trim();
    assert.equal(
      ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}', 'web']),
      `${200 * MiB} ${300 * MiB} 1500000000 512 1000\n`,
    );
    assert.deepEqual(
      [cgroup('memory', id, 'memory.limit_in_bytes'), cgroup('memory', id, 'memory.memsw.limit_in_bytes'), cgroup('cpu', id, 'cpu.cfs_quota_us'), cgroup('cpu', id, 'cpu.shares'), cgroup('pids', id, 'pids.max')],
      [String(200 * MiB), String(300 * MiB), '150000', '512', '1000'],
    );
  });

  it('docker stats --no-stream', () => {
    const out = ok(['stats', '--no-stream']);
    assert.match(out, /^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS\n[0-9a-f]{12} +web +[\d.]+% +[\d.]+[KMG]?i?B \/ 200MiB +[\d.]+% +[\d.]+[kMG]?B \/ [\d.]+[kMG]?B +[\d.]+[kMG]?B \/ [\d.]+[kMG]?B +1\n$/);
    const json = JSON.parse(ok(['stats', '--no-stream', '--format', 'json', 'web'])) as Record<string, string>;
    assert.deepEqual([json.Name, json.PIDs], ['web', '1']);
    assert.match(json.MemUsage, / \/ 200MiB$/);
  });

  it('docker stats without names follows containers as they start and stop (GET /events)', async () => {
    const child = spawn(dockerBin, ['stats', '--format', '{{.Name}} {{.PIDs}}'], { env: dockerEnv(d), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const waitFor = async (what: string, test: () => boolean) => {
      for (let i = 0; i < 300 && !test(); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(test(), `docker stats never showed ${what}: ${JSON.stringify(out.slice(-500))}`);
    };
    try {
      await waitFor('web', () => /web 1\b/.test(out));
      ok(['run', '-d', '--name', 'late', 'busybox', 'sleep', '1000']);
      await waitFor('the container started after it', () => /late 1\b/.test(out));
      ok(['rm', '-f', 'late']);
      // a redraw without the removed container (each table starts at the top left: ESC [H)
      const mark = out.length;
      await waitFor('a table without late', () => out.slice(mark).split('\u001b[H').slice(1, -1).some((t) => /web 1\b/.test(t) && !/late/.test(t)));
    } finally {
      child.kill();
    }
  });

  it('docker update -m 300M --memory-swap 400M web; docker update --restart always web', () => {
    assert.equal(ok(['update', '-m', '300M', '--memory-swap', '400M', 'web']), 'web\n');
    const id = ok(['inspect', '-f', '{{.Id}}', 'web']).trim();
    assert.deepEqual([cgroup('memory', id, 'memory.limit_in_bytes'), cgroup('memory', id, 'memory.memsw.limit_in_bytes')], [String(300 * MiB), String(400 * MiB)]);
    assert.equal(ok(['update', '--restart', 'always', 'web']), 'web\n');
    assert.equal(ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.RestartPolicy.Name}}', 'web']), `${300 * MiB} ${400 * MiB} always\n`);
    const conflict = docker(['update', '-m', '500M', 'web']);
    assert.equal(conflict.code, 1);
    assert.equal(conflict.stderr, `Error response from daemon: Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n`);
    assert.equal(ok(['update', '--pids-limit', '50', '--cpus', '0.5', 'web']), 'web\n');
    assert.deepEqual([cgroup('pids', id, 'pids.max'), cgroup('cpu', id, 'cpu.cfs_quota_us')], ['50', '50000']);
  });

  it('docker info and run: the default seccomp profile, no-new-privileges, capabilities', () => {
    assert.match(ok(['info']), /Security Options:\n {2}seccomp\n {3}Profile: builtin\n/);
    assert.equal(ok(['run', '--rm', 'busybox', 'grep', '^Seccomp:', '/proc/self/status']), 'Seccomp:\t2\n');
    assert.equal(ok(['run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'unshare', '-U', 'true']), '');
    assert.equal(ok(['run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']), 'NoNewPrivs:\t1\n');
    const chown = docker(['run', '--rm', '--cap-drop', 'CHOWN', 'busybox', 'chown', '1', '/tmp']);
    assert.equal(chown.code, 1);
    assert.match(chown.stderr, /Operation not permitted/);
    const oom = docker(['run', '--name', 'hog', '-m', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done']);
    assert.equal(oom.code, 137);
    assert.equal(ok(['inspect', '-f', '{{.State.OOMKilled}}', 'hog']), 'true\n');
  });
});
