// The Cgroups port against this machine's real cgroups (hybrid: v1 controllers plus a cgroup2
// mount): the shared contract, then what only a real kernel shows — usage that moves, the OOM
// killer, a limit below usage. Every cgroup lives under /berth-cgtest-<random> in each hierarchy;
// every process is ours, ended by pid; all of it is removed even when a test fails.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { NodeCgroupFs, detectCgroupLayout, openCgroups, type Cgroups } from '../../../src/cgroups/index.ts';
import { cgroupsContract, type ContractProcess } from '../../../src/cgroups/cgroups.contract.ts';

const MiB = 1024 * 1024;
const children = new Set<ChildProcess>();

/** A node process that waits for a line on stdin, then runs `script`. It starts outside our cgroups. */
function startWorker(script = ''): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['-e', `process.stdin.once('data', () => { ${script} }); setInterval(() => {}, 1000);`], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      r({ code, signal });
    }),
  );
  return { child, exited };
}

async function stopWorker(w: ReturnType<typeof startWorker>): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await w.exited;
}

function rootDevice(): { major: number; minor: number } {
  const dev = statSync('/').dev;
  return { major: Math.floor(dev / 256) & 0xfff, minor: (dev & 0xff) | ((Math.floor(dev / 4096) & 0xfff00) >>> 0) };
}

function killAll(): void {
  for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
}

const base = `/berth-cgtest-${randomBytes(4).toString('hex')}`;
const layout = detectCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'));

describe('this machine', () => {
  it('is picked as cgroup v1 from mountinfo (hybrid: the cgroup2 mount is noted, not used for resources)', () => {
    assert.equal(layout.mode, 'v1');
    assert.ok(layout.controllers.has('memory') && layout.controllers.has('cpuacct') && layout.controllers.has('pids'));
  });
});

cgroupsContract('real cgroups of this machine', async () => {
  const cgroups = await openCgroups(new NodeCgroupFs());
  const cpus = readFileSync('/sys/fs/cgroup/cpuset/cpuset.cpus', 'utf8').trim();
  return {
    cgroups,
    base: `${base}/contract`,
    cpus,
    blockDevice: rootDevice(),
    // A single-threaded process, so pids.current (which counts tasks) is exactly 1.
    spawn: async (): Promise<ContractProcess> => {
      const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
      children.add(child);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      await new Promise((r) => child.once('spawn', r));
      return {
        pid: child.pid!,
        stop: async () => {
          child.kill('SIGKILL');
          await exited;
          children.delete(child);
        },
      };
    },
    cleanup: async () => {
      killAll();
      await cgroups.remove(`${base}/contract`);
    },
  };
});

describe('real cgroups: what only the kernel shows', () => {
  let cg: Cgroups;
  before(async () => {
    cg = await openCgroups(new NodeCgroupFs());
  });
  after(async () => {
    killAll();
    // A killed process leaves its cgroups once reaped; remove() retries while they are busy.
    await new Promise((r) => setTimeout(r, 50));
    await cg.remove(base);
    for (const dir of cg.directories(base)) assert.equal(await new NodeCgroupFs().exists(dir), false, `${dir} is left behind`);
  });

  it('sees memory and CPU used by a process inside, and its pid', async () => {
    const path = `${base}/usage`;
    await cg.create(path);
    const w = startWorker('const b = Buffer.alloc(48 << 20, 1); const end = Date.now() + 300; while (Date.now() < end) b[0]++; globalThis.keep = b;');
    try {
      await new Promise((r) => w.child.once('spawn', r));
      await cg.addProcess(path, w.child.pid!);
      const before = await cg.stats(path);
      w.child.stdin!.write('go\n');
      // Wait until the allocation shows rather than for a fixed time.
      let s = before;
      for (let i = 0; i < 200 && s.memory.usage < 40 * MiB; i++) {
        await new Promise((r) => setTimeout(r, 25));
        s = await cg.stats(path);
      }
      assert.ok(s.memory.usage >= 40 * MiB, `memory usage ${s.memory.usage} shows the 48 MiB buffer`);
      assert.ok(s.memory.maxUsage! >= s.memory.usage);
      assert.ok((s.memory.stat.total_rss ?? 0) + (s.memory.stat.total_cache ?? 0) > 0);
      for (let i = 0; i < 200 && s.cpu.usage - before.cpu.usage < 100e6; i++) {
        await new Promise((r) => setTimeout(r, 25));
        s = await cg.stats(path);
      }
      assert.ok(s.cpu.usage - before.cpu.usage >= 100e6, 'the busy loop shows as CPU time');
      assert.equal(s.cpu.percpu!.reduce((a, b) => a + b, 0), s.cpu.usage, 'per-CPU times add up to the total');
      assert.deepEqual(await cg.processes(path), [w.child.pid]);
      assert.ok(s.pids.current >= 1, 'pids.current counts its threads');
    } finally {
      await stopWorker(w);
    }
  });

  it('refuses a memory limit below what the cgroup holds, naming usage and peak (runc\'s message)', async () => {
    const path = `${base}/below`;
    await cg.create(path);
    await cg.update(path, { memory: { limit: 256 * MiB, swap: 256 * MiB } });
    const w = startWorker('globalThis.keep = Buffer.alloc(64 << 20, 1);');
    try {
      await new Promise((r) => w.child.once('spawn', r));
      await cg.addProcess(path, w.child.pid!);
      w.child.stdin!.write('go\n');
      let usage = 0;
      for (let i = 0; i < 200 && usage < 60 * MiB; i++) {
        await new Promise((r) => setTimeout(r, 25));
        usage = (await cg.stats(path)).memory.usage;
      }
      // No swap on this machine: anonymous memory cannot be reclaimed, so the kernel says EBUSY.
      await assert.rejects(cg.update(path, { memory: { limit: 16 * MiB } }), /^InvalidArgument: unable to set memory limit to 16777216 \(current usage: \d+, peak usage: \d+\)$/);
      assert.equal((await cg.limits(path)).memory, 256 * MiB, 'the old limit stays');
    } finally {
      await stopWorker(w);
    }
  });

  it('counts an OOM kill when a process outgrows memory+swap', async () => {
    const path = `${base}/oom`;
    await cg.create(path);
    await cg.update(path, { memory: { limit: 32 * MiB, swap: 32 * MiB } });
    const w = startWorker('const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1));');
    try {
      await new Promise((r) => w.child.once('spawn', r));
      await cg.addProcess(path, w.child.pid!);
      assert.equal(await cg.oomKills(path), 0);
      w.child.stdin!.write('go\n');
      const { signal } = await w.exited;
      assert.equal(signal, 'SIGKILL', 'the OOM killer ends it with SIGKILL (exit 137 in a container)');
      assert.equal(await cg.oomKills(path), 1);
      const s = await cg.stats(path);
      assert.equal(s.memory.oomKills, 1);
      assert.ok(s.memory.maxUsage! >= 31 * MiB, 'usage reached the limit');
    } finally {
      await stopWorker(w);
    }
  });
});
