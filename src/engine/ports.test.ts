// The engine through its ports: top asks the process table, times come from the clock, events go
// to the bus, volumes and commit go to their services — each port a fake, nothing of the host's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { EngineEvent } from '../events/index.ts';
import { FakeClock } from '../lib/index.ts';
import { fakeEngine } from './fakes.test-support.ts';
import { processTableContract } from './ps.contract.ts';
import { FakeProcessTable } from './ps.ts';

const root = mkdtempSync('/tmp/berth-engine-ports-test-');
after(() => rmSync(root, { recursive: true, force: true }));

processTableContract('FakeProcessTable', () => ({
  table: new FakeProcessTable([
    { pid: 1, ppid: 0, user: 'root', args: '/sbin/init' },
    { pid: 4242, ppid: 1, user: 'nobody', args: 'sleep 600' },
  ]),
  pid: 4242,
  command: 'sleep',
}));

describe('top', () => {
  it("runs ps -ef by default, or the caller's options, and keeps the container's rows", async () => {
    const f = fakeEngine(`${root}/top`);
    await f.engine.init();
    const { Id } = await f.engine.create({ Image: 'img', Cmd: ['sleep', '100'] });
    await f.engine.start(Id);
    const pid = f.runtime.live.get(Id)!.pid;
    f.ps.processes.push({ pid: 1, ppid: 0, user: 'root', args: '/sbin/init' }, { pid, ppid: 1, user: 'root', args: 'sleep 100' });
    const top = await f.engine.top(Id, '');
    assert.deepEqual(top.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    assert.deepEqual(top.Processes, [['root', String(pid), '1', '0', '10:00', '?', '00:00:00', 'sleep 100']]);
    assert.deepEqual((await f.engine.top(Id, ' -o  pid,comm ')).Processes, [[String(pid), 'sleep']]);
    assert.deepEqual(f.ps.calls, [['-ef'], ['-o', 'pid,comm']]);
    await assert.rejects(f.engine.top(Id, 'axjf'), /^SystemError: ps: /);
  });
});

describe('times come from the clock', () => {
  it('Created, StartedAt and FinishedAt', async () => {
    const clock = new FakeClock('2031-02-03T04:05:06.000Z');
    const f = fakeEngine(`${root}/clock`, { clock });
    await f.engine.init();
    const { Id } = await f.engine.create({ Image: 'img', Cmd: ['true'] });
    clock.advance(1_500);
    await f.engine.start(Id);
    clock.advance(60_000);
    f.runtime.exit(Id, 3);
    await f.engine.wait(Id, 'not-running');
    const c = f.engine.get(Id).record;
    assert.equal(c.Created, '2031-02-03T04:05:06.000Z');
    assert.equal(c.State.StartedAt, '2031-02-03T04:05:07.500Z');
    assert.equal(c.State.FinishedAt, '2031-02-03T04:06:07.500Z');
  });

  it('a container whose monitor vanished while berthd was down is settled as exited (255) at the time berthd finds out', async () => {
    const clock = new FakeClock('2031-02-03T04:05:06.000Z');
    const first = fakeEngine(`${root}/vanished`, { clock });
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['sleep', '100'] });
    await first.engine.start(Id);
    // berthd restarts; meanwhile conmon died without recording an exit
    clock.advance(3_600_000);
    const second = fakeEngine(`${root}/vanished`, { clock });
    await second.engine.init();
    const state = second.engine.get(Id).record.State;
    assert.deepEqual([state.Running, state.ExitCode, state.Error, state.FinishedAt], [false, 255, 'container monitor exited unexpectedly', '2031-02-03T05:05:06.000Z']);
  });
});

describe('events', () => {
  it('the lifecycle is published on the bus, in order, stamped by the clock', async () => {
    const clock = new FakeClock('2031-02-03T04:05:06.000Z');
    const f = fakeEngine(`${root}/events`, { clock });
    await f.engine.init();
    const sub = f.events.subscribe({ filters: new Map([['type', ['container']]]) });
    const { Id } = await f.engine.create({ Image: 'img', Cmd: ['true'], Labels: { tier: 'web' } }, { name: 'job' });
    await f.engine.start(Id);
    f.runtime.exit(Id, 0);
    await f.engine.wait(Id, 'not-running');
    await f.engine.remove(Id, { force: false, removeVolumes: false });
    const seen: EngineEvent[] = [];
    for (let i = 0; i < 4; i++) seen.push((await sub.next()).value!);
    sub.close();
    assert.deepEqual(
      seen.map((e) => [e.Action, e.Actor.ID === Id, e.Actor.Attributes.name, e.from]),
      [
        ['create', true, 'job', 'img'],
        ['start', true, 'job', 'img'],
        ['die', true, 'job', 'img'],
        ['destroy', true, 'job', 'img'],
      ],
    );
    assert.equal(seen[0].Actor.Attributes.tier, 'web');
    assert.equal(seen[2].Actor.Attributes.exitCode, '0');
    assert.equal(seen[0].time, Date.parse('2031-02-03T04:05:06Z') / 1000);
  });
});

describe('volumes and the container store', () => {
  it('named volumes are created at create, mounted for the run, released at exit; the store knows the users', async () => {
    const f = fakeEngine(`${root}/volumes`);
    await f.engine.init();
    const { Id } = await f.engine.create({ Image: 'img', Cmd: ['true'], HostConfig: { Binds: ['data:/data'] } });
    assert.ok(f.volumes.has('data'));
    assert.deepEqual(f.store.containersUsingVolume('data'), [Id]);
    assert.deepEqual(f.store.containersUsingImage('sha256:' + 'a'.repeat(64)), [{ id: Id, running: false }]);
    await f.engine.start(Id);
    assert.deepEqual([...f.volumes.mounted.get('data')!], [Id]);
    assert.deepEqual(f.store.containersUsingImage('sha256:' + 'a'.repeat(64)), [{ id: Id, running: true }]);
    f.runtime.exit(Id, 0);
    await f.engine.wait(Id, 'not-running');
    assert.deepEqual([...f.volumes.mounted.get('data')!], []);
    await f.engine.remove(Id, { force: false, removeVolumes: true });
    assert.deepEqual(f.store.containersUsingVolume('data'), []);
    assert.ok(f.volumes.has('data'), 'a named volume outlives rm -v');
  });
});

describe('commit', () => {
  it("hands the read-write layer and the merged config to the image committer, and reports the image's id", async () => {
    const f = fakeEngine(`${root}/commit`);
    await f.engine.init();
    const { Id } = await f.engine.create({ Image: 'img', Cmd: ['sh'], Env: ['A=1'] });
    const sub = f.events.subscribe({ filters: new Map([['event', ['commit']]]) });
    const result = await f.engine.commit(Id, { repo: 'app', tag: 'v1', changes: ['ENV B=2'], pause: true });
    assert.deepEqual(result, { Id: 'sha256:' + 'c'.repeat(64) });
    const req = f.committer.requests[0];
    assert.equal(req.containerId, Id);
    assert.deepEqual(req.config.Env, ['A=1', 'B=2']);
    assert.deepEqual([req.repo, req.tag, req.parentImageId], ['app', 'v1', 'sha256:' + 'a'.repeat(64)]);
    assert.equal((await sub.next()).value?.Actor.Attributes.imageRef, 'app:v1');
    sub.close();
  });
});
