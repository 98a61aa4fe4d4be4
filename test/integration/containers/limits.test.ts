// Resource limits on real containers (runc under conmon, this machine's cgroup v1): a fork bomb
// under --pids-limit is contained, a memory hog is OOM-killed, --cpus and --cpuset-cpus are felt,
// --ulimit reaches the process, HostConfig shows what was asked as dockerd shows it, and `update`
// changes limits a running container then feels (and keeps them for a stopped one).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

const MiB = 1024 * 1024;
let d: TestDaemon;

before(async () => {
  d = await startDaemon();
  d.berthOk(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const cgroupFile = (controller: string, id: string, file: string, parent = d.cgroupParent) => readFileSync(`/sys/fs/cgroup/${controller}/${parent}/${id}/${file}`, 'utf8').trim();
/**
 * A busy loop must not be starved by other work on this shared 2-core machine when its share of a
 * CPU is measured: it runs in a top-level cgroup with the most CPU weight there is (runc removes
 * the cgroup with the container).
 */
const weighty = ['--cgroup-parent', '/', '-c', '262144'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inspect = (id: string, format: string) => ok(['inspect', '-f', format, id]).trim();

/** The share of one CPU the container used over `ms` of wall time, from its cpuacct counter. */
async function cpuShare(id: string, ms: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const u0 = Number(cgroupFile('cpuacct', id, 'cpuacct.usage', ''));
  await sleep(ms);
  const u1 = Number(cgroupFile('cpuacct', id, 'cpuacct.usage', ''));
  const t1 = process.hrtime.bigint();
  return (u1 - u0) / Number(t1 - t0);
}

describe('limits at run', () => {
  it('contains a fork bomb under --pids-limit 50; the host keeps answering', async (t) => {
    const id = ok(['run', '-d', '--pids-limit', '50', 'busybox', 'sh', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 1000']).trim();
    try {
      let peak = 0;
      for (let i = 0; i < 20; i++) {
        peak = Math.max(peak, Number(cgroupFile('pids', id, 'pids.current')));
        await sleep(100);
      }
      assert.equal(cgroupFile('pids', id, 'pids.max'), '50');
      assert.ok(peak <= 50, `pids.current reached ${peak}`);
      t.diagnostic(`fork bomb: pids.current peaked at ${peak}, pids.events max ${cgroupFile('pids', id, 'pids.events').split(' ')[1]}`);
      assert.ok(Number(cgroupFile('pids', id, 'pids.events').split(' ')[1]) > 0, 'the limit was hit');
      // the host: new processes start, the daemon answers
      assert.equal(spawnSync('true').status, 0);
      assert.match(ok(['ps', '--format', '{{.ID}}']), new RegExp(id.slice(0, 12)));
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('a memory hog under -m 32m --memory-swap 32m is OOM-killed: 137, OOMKilled', () => {
    const r = d.berth(['run', '--name', 'hog', '-m', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=a; while true; do x=$x$x; done']);
    assert.equal(r.code, 137, r.stderr);
    assert.equal(inspect('hog', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), `true 137 ${32 * MiB} ${32 * MiB}`);
    ok(['rm', 'hog']);
  });

  it('--cpus 0.5 holds a busy loop to about half a CPU', async (t) => {
    const id = ok(['run', '-d', '--cpus', '0.5', ...weighty, 'busybox', 'sh', '-c', 'while :; do :; done']).trim();
    try {
      assert.deepEqual([cgroupFile('cpu', id, 'cpu.cfs_quota_us', ''), cgroupFile('cpu', id, 'cpu.cfs_period_us', '')], ['50000', '100000']);
      // The quota is a ceiling: every window stays under it. A moment of other work can still keep
      // the loop below its share, so the lower bound is given three windows to show.
      const shares: number[] = [];
      for (let i = 0; i < 3; i++) {
        const share = await cpuShare(id, 3000);
        shares.push(share);
        assert.ok(share <= 0.65, `used ${(share * 100).toFixed(1)}% of a CPU`);
        if (share >= 0.35) break;
      }
      assert.ok(shares.some((s) => s >= 0.35 && s <= 0.65), `measured ${shares.map((s) => (s * 100).toFixed(1) + '%').join(', ')}`);
      t.diagnostic(`--cpus 0.5 over 3 s: ${shares.map((s) => (s * 100).toFixed(1) + '% of a CPU').join(', ')}`);
      assert.ok(Number(/nr_throttled (\d+)/.exec(cgroupFile('cpu', id, 'cpu.stat', ''))![1]) > 0, 'the loop was throttled');
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('--cpuset-cpus 0 pins the container to CPU 0', async () => {
    const id = ok(['run', '-d', '--cpuset-cpus', '0', 'busybox', 'sh', '-c', 'while :; do :; done']).trim();
    try {
      assert.equal(cgroupFile('cpuset', id, 'cpuset.cpus'), '0');
      assert.match(ok(['exec', id, 'grep', 'Cpus_allowed_list', '/proc/self/status']), /^Cpus_allowed_list:\s+0\n$/);
      const pid = Number(inspect(id, '{{.State.Pid}}'));
      for (let i = 0; i < 10; i++) {
        // field 39 of /proc/<pid>/stat: the CPU the process last ran on
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        assert.equal(fields[36], '0');
        await sleep(50);
      }
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('--ulimit nofile reaches the process; the daemon default fills in the rest', () => {
    assert.equal(ok(['run', '--rm', '--ulimit', 'nofile=1024:2048', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn']), '1024\n2048\n');
  });

  it('shows the limits in HostConfig as dockerd does', () => {
    const id = ok(['create', '-m', '200M', '--memory-swap', '300M', '--cpus', '1.5', '-c', '512', '--pids-limit', '50', '--memory-reservation', '100M', '--oom-kill-disable', '--cpuset-cpus', '0-1', '--shm-size', '32m', '--cgroupns', 'private', '--ipc', 'shareable', 'busybox', 'true']).trim();
    const h = JSON.parse(ok(['inspect', '-f', '{{json .HostConfig}}', id])) as Record<string, unknown>;
    assert.deepEqual(
      [h.Memory, h.MemorySwap, h.NanoCpus, h.CpuShares, h.PidsLimit, h.MemoryReservation, h.OomKillDisable, h.CpusetCpus, h.ShmSize, h.CgroupnsMode, h.IpcMode, h.MemorySwappiness],
      [200 * MiB, 300 * MiB, 1.5e9, 512, 50, 100 * MiB, true, '0-1', 32 * MiB, 'private', 'shareable', null],
    );
    const plain = JSON.parse(ok(['inspect', '-f', '{{json .HostConfig}}', ok(['create', 'busybox', 'true']).trim()])) as Record<string, unknown>;
    assert.deepEqual([plain.Memory, plain.MemorySwap, plain.PidsLimit, plain.CgroupnsMode, plain.IpcMode, plain.ShmSize, plain.OomKillDisable], [0, 0, null, 'host', 'private', 64 * MiB, false]);
  });

  it("writes every limit to the container's cgroup; a weight this host's I/O scheduler lacks is dropped with dockerd's warning", () => {
    const r = d.berth(['run', '-d', '-m', '64m', '--memory-swap', '96m', '--memory-reservation', '32m', '--memory-swappiness', '10', '--oom-kill-disable',
      '-c', '512', '--cpu-period', '50000', '--cpu-quota', '25000', '--cpuset-cpus', '1', '--cpuset-mems', '0', '--pids-limit', '77',
      '--device-read-bps', '/dev/vda:1mb', '--device-write-iops', '/dev/vda:100', '--device-write-bps', '/dev/vda:2mb', '--device-read-iops', '/dev/vda:50',
      '--blkio-weight', '300', 'busybox', 'sleep', '1000']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    try {
      // vda uses mq-deadline here: no blkio.weight, as dockerd finds it
      assert.match(r.stderr, /Your kernel does not support Block I\/O weight or the cgroup is not mounted\. Weight discarded\./);
      assert.deepEqual(
        ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.soft_limit_in_bytes', 'memory.swappiness'].map((f) => cgroupFile('memory', id, f)),
        [`${64 * MiB}`, `${96 * MiB}`, `${32 * MiB}`, '10'],
      );
      assert.match(cgroupFile('memory', id, 'memory.oom_control'), /^oom_kill_disable 1$/m);
      assert.deepEqual(['cpu.shares', 'cpu.cfs_period_us', 'cpu.cfs_quota_us'].map((f) => cgroupFile('cpu', id, f)), ['512', '50000', '25000']);
      assert.deepEqual(['cpuset.cpus', 'cpuset.mems'].map((f) => cgroupFile('cpuset', id, f)), ['1', '0']);
      assert.equal(cgroupFile('pids', id, 'pids.max'), '77');
      assert.deepEqual(
        ['read_bps_device', 'write_bps_device', 'read_iops_device', 'write_iops_device'].map((f) => cgroupFile('blkio', id, `blkio.throttle.${f}`)),
        ['254:0 1048576', '254:0 2097152', '254:0 50', '254:0 100'],
      );
      assert.equal(inspect(id, '{{.HostConfig.BlkioWeight}} {{json .HostConfig.BlkioDeviceReadBps}}'), '0 [{"Path":"/dev/vda","Rate":1048576}]');
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it("refuses with dockerd's messages and exit status 125", () => {
    const r = d.berth(['run', '--rm', '-m', '4m', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Error response from daemon: Minimum memory limit allowed is 6MB/);
    const bad = d.berth(['run', '--rm', '--cpus', 'lots', 'busybox', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid argument "lots" for "--cpus" flag: failed to parse lots as a rational number/);
  });
});

describe('update', () => {
  it('lowers a running container\'s pids limit, and the container feels it', async () => {
    const id = ok(['run', '-d', '--pids-limit', '100', 'busybox', 'sleep', '1000']).trim();
    // 40 at once: more than the new limit, fewer than the old. The shell's children go at once
    // (`wait`), so that the exec after the update starts in a container of one process: runc's
    // own init, a Go program, needs a few threads inside the container's cgroup to start at all.
    const fork40 = 'for i in $(seq 40); do sleep 2 & done; echo forked; wait';
    try {
      assert.equal(ok(['exec', id, 'sh', '-c', fork40]), 'forked\n');
      assert.equal(ok(['update', '--pids-limit', '20', id]), `${id}\n`);
      assert.equal(cgroupFile('pids', id, 'pids.max'), '20');
      const r = d.berth(['exec', id, 'sh', '-c', fork40]);
      assert.match(r.stderr, /can't fork/);
      assert.equal(inspect(id, '{{.HostConfig.PidsLimit}}'), '20');
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('-m 300M --memory-swap 400M on a running container, and the memory check docker makes', async () => {
    const id = ok(['run', '-d', '-m', '200M', '--memory-swap', '300M', 'busybox', 'sleep', '1000']).trim();
    try {
      ok(['update', '-m', '300M', '--memory-swap', '400M', id]);
      assert.deepEqual([cgroupFile('memory', id, 'memory.limit_in_bytes'), cgroupFile('memory', id, 'memory.memsw.limit_in_bytes')], [String(300 * MiB), String(400 * MiB)]);
      assert.equal(inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), `${300 * MiB} ${400 * MiB}`);
      const swap = d.berth(['update', '-m', '500M', id]);
      assert.equal(swap.code, 1);
      assert.equal(swap.stderr, `Error response from daemon: Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n`);
      const small = d.berth(['update', '-m', '300M', '--memory-swap', '200M', id]);
      assert.equal(small.stderr, 'Error response from daemon: Minimum memoryswap limit should be larger than memory limit, see usage\n');
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('refuses a memory limit below what the container uses, and keeps the old limit', async () => {
    const id = ok(['run', '-d', '-m', '200M', '--memory-swap', '200M', '--shm-size', '100m', 'busybox', 'sh', '-c', 'head -c 60m /dev/zero > /dev/shm/fill && sleep 1000']).trim();
    try {
      for (let i = 0; i < 100 && Number(cgroupFile('memory', id, 'memory.usage_in_bytes')) < 60 * MiB; i++) await sleep(100);
      const r = d.berth(['update', '-m', '20M', '--memory-swap', '20M', id]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^Error response from daemon: Cannot update container ${id}: unable to set memory limit to ${20 * MiB} \\(current usage: \\d+, peak usage: \\d+\\)\\n$`));
      assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(200 * MiB));
      assert.equal(inspect(id, '{{.HostConfig.Memory}}'), String(200 * MiB));
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('--cpus on a running busy loop changes the share it gets', async () => {
    const id = ok(['run', '-d', '--cpus', '0.2', ...weighty, 'busybox', 'sh', '-c', 'while :; do :; done']).trim();
    try {
      assert.ok((await cpuShare(id, 1500)) <= 0.3);
      ok(['update', '--cpus', '0.6', id]);
      assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us', ''), '60000');
      const shares: number[] = [];
      for (let i = 0; i < 3 && !shares.some((s) => s > 0.3); i++) shares.push(await cpuShare(id, 1500));
      assert.ok(shares.some((s) => s > 0.3 && s <= 0.7), `measured ${shares.join(', ')}`);
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('keeps the new values of a stopped container for its next start, and takes --restart', () => {
    const id = ok(['create', 'busybox', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max']).trim();
    ok(['update', '-m', '64M', '--memory-swap', '-1', '--pids-limit', '30', '--restart', 'on-failure:3', id]);
    assert.equal(inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}'), `${64 * MiB} 30 on-failure 3`);
    assert.equal(ok(['start', '-a', id]), `${64 * MiB}\n30\n`);
    const none = d.berth(['update', id]);
    assert.deepEqual([none.code, none.stderr], [1, 'you must provide one or more flags when using this command\n']);
    const missing = d.berth(['update', '-m', '64M', 'nosuch']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Error response from daemon: No such container: nosuch\n']);
    ok(['rm', id]);
  });
});
