// Governed containers against the fake runtime, whose containers get cgroups in an in-memory v1
// cgroupfs as runc would make them: dockerd's create checks and defaults, the spec a HostConfig
// starts with, OOM kills seen at exit, live updates and their rollback, and stats readings.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { InvalidArgument } from '../errors/index.ts';
import type { StatsJson } from '../stats/index.ts';
import type { HostConfig } from '../types/index.ts';
import { fakeEngine, fakeV1Features } from './fakes.test-support.ts';

const root = mkdtempSync('/tmp/berth-governance-test-');
after(() => rmSync(root, { recursive: true, force: true }));
const MiB = 1024 * 1024;
let n = 0;

async function setup(options: Parameters<typeof fakeEngine>[1] = {}) {
  const f = fakeEngine(`${root}/${n++}`, options);
  await f.engine.init();
  return f;
}

async function hostConfig(f: Awaited<ReturnType<typeof setup>>, id: string): Promise<HostConfig> {
  return (await f.engine.inspect(id)).HostConfig as HostConfig;
}

describe('create: dockerd checks and defaults', () => {
  it('fills in memory+swap, shm, namespace modes and masked paths, and drops "unset" values', async () => {
    const f = await setup();
    const { Id, Warnings } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 64 * MiB, PidsLimit: 0, MemorySwappiness: -1 } });
    assert.deepEqual(Warnings, []);
    const h = await hostConfig(f, Id);
    assert.equal(h.MemorySwap, 128 * MiB);
    assert.equal(h.ShmSize, 64 * MiB);
    // cgroup v1: the host's cgroup namespace by default, as dockerd
    assert.deepEqual([h.CgroupnsMode, h.IpcMode, h.PidsLimit, h.MemorySwappiness, h.OomKillDisable], ['host', 'private', null, null, false]);
    assert.ok(h.MaskedPaths?.includes('/proc/kcore'));
  });

  it("refuses what dockerd refuses, with dockerd's messages", async () => {
    const f = await setup();
    const refused = async (h: Partial<HostConfig>, message: string) =>
      assert.rejects(f.engine.create({ Image: 'img', HostConfig: h }), (err: Error) => err instanceof InvalidArgument && err.message === message);
    await refused({ Memory: 1024 }, 'Minimum memory limit allowed is 6MB');
    await refused({ Memory: 64 * MiB, MemorySwap: 32 * MiB }, 'Minimum memoryswap limit should be larger than memory limit, see usage');
    await refused({ NanoCpus: 3e9 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    await refused({ CpusetCpus: '3' }, 'Requested CPUs are not available - requested 3, available: 0-1');
    await refused({ PidMode: 'bogus' }, 'invalid PID mode: bogus');
    await refused({ CapAdd: ['NOPE'] }, 'invalid CapAdd: unknown capability: "CAP_NOPE"');
    await refused({ OomScoreAdj: 2000 }, 'Invalid value 2000, range for oom score adj is [-1000, 1000]');
    await refused({ CgroupParent: '../escape' }, 'invalid cgroup parent "../escape"');
  });

  it('drops what the host cannot limit, with a warning', async () => {
    const f = await setup({ host: { features: { ...fakeV1Features, swapLimit: false } } });
    const { Id, Warnings } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 64 * MiB, MemorySwap: 128 * MiB } });
    assert.deepEqual(Warnings, ['Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.']);
    assert.equal((await hostConfig(f, Id)).MemorySwap, -1);
  });
});

describe('start: the spec a HostConfig decides', () => {
  it('limits, rlimits with the daemon defaults, seccomp and no-new-privileges land in the spec and the cgroup', async () => {
    const f = await setup();
    const { Id } = await f.engine.create({
      Image: 'img',
      HostConfig: { Memory: 64 * MiB, NanoCpus: 5e8, PidsLimit: 50, CpusetCpus: '0', Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }], SecurityOpt: ['no-new-privileges'] },
    });
    await f.engine.start(Id);
    const spec = f.runtime.specs.get(Id)!;
    assert.equal(spec.linux.cgroupsPath, `/berth-test/${Id}`);
    assert.deepEqual(spec.linux.resources.memory, { limit: 64 * MiB, swap: 128 * MiB, disableOOMKiller: false });
    assert.deepEqual([spec.linux.resources.cpu?.quota, spec.linux.resources.cpu?.period, spec.linux.resources.cpu?.cpus], [50000, 100000, '0']);
    assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 200, soft: 100 }]);
    assert.equal(spec.process.noNewPrivileges, true);
    assert.equal(spec.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.ok(!spec.linux.namespaces.some((ns) => ns.type === 'cgroup'), 'v1 default: the host cgroup namespace');
    const limits = await (await f.cgroups).limits(`/berth-test/${Id}`);
    assert.deepEqual([limits.memory, limits.pids, limits.cpuQuota, limits.cpusetCpus], [64 * MiB, 50, 50000, '0']);
  });

  it('joins the IPC namespace only of a running, shareable donor, and the PID namespace of a running one', async () => {
    const f = await setup();
    const donor = (await f.engine.create({ Image: 'img', HostConfig: { IpcMode: 'private' } })).Id;
    const joiner = (await f.engine.create({ Image: 'img', HostConfig: { IpcMode: `container:${donor}` } })).Id;
    await assert.rejects(f.engine.start(joiner), { message: `can't join IPC of container ${donor}: container ${donor} is not running` });
    await f.engine.start(donor);
    await assert.rejects(f.engine.start(joiner), { message: `can't join IPC of container ${donor}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)` });
    const shared = (await f.engine.create({ Image: 'img', HostConfig: { IpcMode: 'shareable' } })).Id;
    await f.engine.start(shared);
    const pidJoiner = (await f.engine.create({ Image: 'img', HostConfig: { IpcMode: `container:${shared}`, PidMode: `container:${shared}` } })).Id;
    await f.engine.start(pidJoiner);
    const donorPid = f.runtime.live.get(shared)!.pid;
    const ns = f.runtime.specs.get(pidJoiner)!.linux.namespaces;
    assert.deepEqual(ns.filter((x) => x.type === 'ipc' || x.type === 'pid'), [
      { type: 'pid', path: `/proc/${donorPid}/ns/pid` },
      { type: 'ipc', path: `/proc/${donorPid}/ns/ipc` },
    ]);
  });
});

describe('exit: OOM kills', () => {
  it("a container the OOM killer hit is OOMKilled (read from its cgroup before it is removed), with an 'oom' event", async () => {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 32 * MiB } });
    await f.engine.start(Id);
    f.cgroupFs.kernelWrite(`/sys/fs/cgroup/memory/berth-test/${Id}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
    f.runtime.exit(Id, 137);
    await f.engine.wait(Id, 'not-running');
    const state = (await f.engine.inspect(Id)).State as { OOMKilled: boolean; ExitCode: number };
    assert.deepEqual([state.OOMKilled, state.ExitCode], [true, 137]);
    const seen: string[] = [];
    const until = f.clock.nowNs();
    f.clock.advance(1);
    for await (const e of f.events.subscribe({ since: 0n, until })) seen.push(e.Action);
    assert.deepEqual(seen.slice(-2), ['oom', 'die']);
    assert.equal(await (await f.cgroups).exists(`/berth-test/${Id}`), false);
  });

  it('a container killed by a signal without an OOM kill is not', async () => {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 32 * MiB } });
    await f.engine.start(Id);
    f.runtime.exit(Id, 137);
    await f.engine.wait(Id, 'not-running');
    assert.equal(((await f.engine.inspect(Id)).State as { OOMKilled: boolean }).OOMKilled, false);
  });
});

describe('update', () => {
  it("changes a running container's cgroup and its saved HostConfig", async () => {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 64 * MiB } });
    await f.engine.start(Id);
    const r = await f.engine.update(Id, { Memory: 96 * MiB, MemorySwap: 192 * MiB, PidsLimit: 20, CpuShares: 512, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } });
    assert.deepEqual(r, { Warnings: null });
    const limits = await (await f.cgroups).limits(`/berth-test/${Id}`);
    assert.deepEqual([limits.memory, limits.memorySwap, limits.pids, limits.cpuShares], [96 * MiB, 192 * MiB, 20, 512]);
    const h = await hostConfig(f, Id);
    assert.deepEqual([h.Memory, h.MemorySwap, h.PidsLimit, h.CpuShares, h.RestartPolicy.Name], [96 * MiB, 192 * MiB, 20, 512, 'always']);
    // lifting the pids limit: 0 and -1 both mean unlimited
    await f.engine.update(Id, { PidsLimit: -1 });
    assert.equal((await (await f.cgroups).limits(`/berth-test/${Id}`)).pids, -1);
  });

  it('keeps the values of a stopped container for its next start', async () => {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img' });
    await f.engine.update(Id, { Memory: 48 * MiB, MemorySwap: -1, NanoCpus: 1e9 });
    await f.engine.start(Id);
    const spec = f.runtime.specs.get(Id)!;
    assert.deepEqual([spec.linux.resources.memory?.limit, spec.linux.resources.cpu?.quota], [48 * MiB, 100000]);
  });

  it("restores the old HostConfig when the kernel refuses, with docker's errors", async () => {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 64 * MiB } });
    await f.engine.start(Id);
    f.cgroupFs.kernelWrite(`/sys/fs/cgroup/memory/berth-test/${Id}/memory.usage_in_bytes`, `${40 * MiB}\n`);
    await assert.rejects(f.engine.update(Id, { Memory: 32 * MiB }), (err: Error) =>
      err.message.startsWith(`Cannot update container ${Id}: unable to set memory limit to ${32 * MiB} (current usage: ${40 * MiB}`),
    );
    assert.equal((await hostConfig(f, Id)).Memory, 64 * MiB);
    assert.equal((await (await f.cgroups).limits(`/berth-test/${Id}`)).memory, 64 * MiB);
    await assert.rejects(f.engine.update(Id, { Memory: 256 * MiB }), {
      message: `Cannot update container ${Id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`,
    });
    await assert.rejects(f.engine.update(Id, { Memory: 64 * MiB, MemorySwap: 32 * MiB }), { message: 'Minimum memoryswap limit should be larger than memory limit, see usage' });
    await assert.rejects(f.engine.update(Id, { RestartPolicy: { Name: 'sometimes' as HostConfig['RestartPolicy']['Name'], MaximumRetryCount: 0 } }), {
      message: "invalid restart policy 'sometimes'",
    });
    // the restart policy's own rule, as the restart manager applies it; the resources stay as they were
    const auto = (await f.engine.create({ Image: 'img', HostConfig: { AutoRemove: true } })).Id;
    await assert.rejects(f.engine.update(auto, { PidsLimit: 10, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }), {
      message: `Cannot update container ${auto}: Restart policy cannot be updated because AutoRemove is enabled for the container`,
    });
    assert.deepEqual([(await hostConfig(f, auto)).PidsLimit, (await hostConfig(f, auto)).RestartPolicy.Name], [null, 'no']);
  });
});

describe('stats', () => {
  const procStat = (ticks: number) => `cpu  ${ticks} 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0 0 0 0 0 0 0 0 0 0\n`;

  async function running() {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img', HostConfig: { Memory: 64 * MiB } });
    await f.engine.start(Id);
    const pid = f.runtime.live.get(Id)!.pid;
    f.proc.files.set('stat', procStat(1000));
    f.proc.files.set(`${pid}/net/dev`, 'Inter-|   Receive\n face |bytes\n    lo: 9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0\n  eth0: 1000 10 0 0 0 0 0 0 500 5 0 0 0 0 0 0\n');
    const cpu = (ns: number) => f.cgroupFs.kernelWrite(`/sys/fs/cgroup/cpuacct/berth-test/${Id}/cpuacct.usage`, `${ns}\n`);
    return { ...f, Id, cpu };
  }

  async function next(it: AsyncGenerator<StatsJson>): Promise<StatsJson> {
    const r = await it.next();
    assert.ok(!r.done);
    return r.value;
  }

  it('a report pairs two readings 0.3 s apart; one-shot answers with one', async () => {
    const f = await running();
    f.cpu(1e9);
    const report = f.engine.stats(f.Id, { stream: false, oneShot: false });
    const pending = next(report);
    await new Promise((r) => setImmediate(r));
    // one CPU busy for the 0.3 s: 30 ticks of /proc/stat's 100 Hz on each of two CPUs
    f.cpu(1.3e9);
    f.proc.files.set('stat', procStat(1060));
    f.clock.advance(299);
    await new Promise((r) => setImmediate(r));
    f.clock.advance(1);
    const s = await pending;
    assert.equal(s.cpu_stats.cpu_usage.total_usage, 1.3e9);
    assert.equal(s.precpu_stats.cpu_usage.total_usage, 1e9);
    assert.equal(s.memory_stats.limit, 64 * MiB);
    assert.deepEqual(Object.keys(s.networks ?? {}), ['eth0']);
    assert.equal(s.name, `/${(await f.engine.inspect(f.Id)).Name as string}`.replace('//', '/'));
    assert.ok((await report.next()).done);
    const one = await next(f.engine.stats(f.Id, { stream: false, oneShot: true }));
    assert.equal(one.preread, '0001-01-01T00:00:00Z');
  });

  it('a stream reports every second until the client goes; a stopped container reads as zeros', async () => {
    const f = await running();
    const ac = new AbortController();
    const stream = f.engine.stats(f.Id, { stream: true, oneShot: false }, ac.signal);
    const first = next(stream);
    await new Promise((r) => setImmediate(r));
    f.clock.advance(300);
    assert.notEqual((await first).precpu_stats.system_cpu_usage, undefined);
    const second = next(stream);
    await new Promise((r) => setImmediate(r));
    f.runtime.exit(f.Id, 0);
    await f.engine.wait(f.Id, 'not-running');
    f.clock.advance(1000);
    const stopped = await second;
    assert.deepEqual([stopped.read, stopped.memory_stats], ['0001-01-01T00:00:00Z', {}]);
    const third = stream.next();
    ac.abort();
    assert.ok((await third).done);
  });

  it('a stopped container answers one zero report', async () => {
    const f = await setup();
    const { Id } = await f.engine.create({ Image: 'img' });
    const all: StatsJson[] = [];
    for await (const s of f.engine.stats(Id, { stream: false, oneShot: false })) all.push(s);
    assert.equal(all.length, 1);
    assert.equal(all[0].id, Id);
    assert.equal(all[0].cpu_stats.cpu_usage.total_usage, 0);
  });
});
