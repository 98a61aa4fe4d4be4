// Start-up after a crash, on fakes: a second engine on the first one's root, runtime and mounts is
// berthd restarted with the containers, monitors and mounts that outlived it.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FakeClock } from '../lib/index.ts';
import { FakeRuntime, fakeEngine } from './fakes.test-support.ts';
import { interruptedStartExit } from './reconcile.ts';

const root = mkdtempSync('/tmp/berth-reconcile-test-');
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts `id` and leaves it between `runc create` and `runc start`, as a crash there would. */
async function startAndHold(engine: ReturnType<typeof fakeEngine>['engine'], runtime: FakeRuntime, id: string): Promise<void> {
  runtime.startGate = new Promise(() => {});
  void engine.start(id).catch(() => {});
  for (let i = 0; i < 500 && !runtime.live.has(id); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(runtime.live.has(id), 'the runtime created the process');
}

describe('start-up after a crash', () => {
  it('a container caught between runc create and runc start is shown exited with an error, never running', async () => {
    const dir = `${root}/a`;
    const first = fakeEngine(dir);
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['true'] });
    await startAndHold(first.engine, first.runtime, Id);
    assert.equal(first.layers.mounts.get(Id), 1);

    const runtime = new FakeRuntime();
    for (const [id, c] of first.runtime.live) runtime.live.set(id, c);
    const second = fakeEngine(dir, { runtime, mounts: first.layers.mounts });
    await second.engine.init();
    const state = (await second.engine.inspect(Id)).State as { Running: boolean; Status: string; ExitCode: number; Error: string };
    assert.equal(state.Running, false);
    assert.equal(state.Status, 'created', 'it never ran');
    assert.equal(state.ExitCode, interruptedStartExit.exitCode);
    assert.equal(state.Error, interruptedStartExit.error);
    assert.ok(!runtime.live.has(Id), 'its waiting process is gone');
    assert.ok(!second.layers.mounts.has(Id), 'its layer is unmounted');
    // and it can be started now
    await second.engine.start(Id);
    assert.equal(((await second.engine.inspect(Id)).State as { Running: boolean }).Running, true);
  });

  it('a container that exits between the exit-file look and the liveness look keeps its own exit code', async () => {
    const dir = `${root}/between`;
    const first = fakeEngine(dir);
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['true'] });
    await first.engine.start(Id);
    // berthd is gone; the process exits 3 just as the next berthd looks: its first look finds no
    // exit file, the second finds the process gone, conmon's exit file is there by the third.
    class ExitingBetweenLooks extends FakeRuntime {
      looks = 0;
      override async exitStatus() {
        this.looks++;
        return this.looks === 1 ? undefined : { exitCode: 3, finishedAt: new Date(), oomKilled: false };
      }
      override async isAlive() {
        return false;
      }
    }
    const runtime = new ExitingBetweenLooks();
    for (const [id, c] of first.runtime.live) runtime.live.set(id, c);
    runtime.started.add(Id);
    const second = fakeEngine(dir, { runtime, mounts: first.layers.mounts });
    await second.engine.init();
    const state = (await second.engine.inspect(Id)).State as { Running: boolean; ExitCode: number; Error: string };
    assert.equal(state.Running, false);
    assert.equal(state.ExitCode, 3, 'its own exit code, not 255');
    assert.equal(state.Error, '');
  });

  it('a --rm container caught there is removed, as after any failed start', async () => {
    const dir = `${root}/b`;
    const first = fakeEngine(dir);
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['true'], HostConfig: { AutoRemove: true } });
    await startAndHold(first.engine, first.runtime, Id);
    const runtime = new FakeRuntime();
    for (const [id, c] of first.runtime.live) runtime.live.set(id, c);
    const second = fakeEngine(dir, { runtime, mounts: first.layers.mounts });
    await second.engine.init();
    assert.throws(() => second.engine.get(Id), /No such container/);
    assert.ok(!runtime.live.has(Id));
  });

  it('runtime state without a record is ended; mounts of stopped containers and temp files of torn writes are removed', async () => {
    const dir = `${root}/c`;
    const first = fakeEngine(dir);
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['true'] });
    const running = await first.engine.create({ Image: 'img', Cmd: ['sleep'] });
    await first.engine.start(running.Id);
    const stray = 'f'.repeat(64);
    await first.runtime.create({ id: stray, name: 'stray', spec: { linux: { cgroupsPath: `berth-test/${stray}`, resources: {} } } as never, log: { driver: 'none' }, stdin: false, leaveStdinOpen: false });
    first.layers.mounts.set(Id, 1); // a cp whose unmount the crash prevented
    writeFileSync(join(dir, 'containers', Id, '.config.v2.json.0123456789ab.tmp'), '{"torn');

    const second = fakeEngine(dir, { runtime: first.runtime, mounts: first.layers.mounts });
    await second.engine.init();
    assert.ok(!first.runtime.live.has(stray), 'the stray process is ended and forgotten');
    assert.ok(!second.layers.mounts.has(Id), 'the stopped container is unmounted');
    assert.equal(second.layers.mounts.get(running.Id), 1, 'the running one keeps its mount');
    assert.deepEqual(readdirSync(join(dir, 'containers', Id)).filter((n) => n.endsWith('.tmp')), []);
    assert.equal(((await second.engine.inspect(running.Id)).State as { Running: boolean }).Running, true);
  });

  it('a container whose record is skipped keeps its process: it is not a stray', async () => {
    const dir = `${root}/d`;
    const first = fakeEngine(dir);
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['sleep'] });
    await first.engine.start(Id);
    writeFileSync(join(dir, 'containers', Id, 'config.v2.json'), '{"ID": 5}');
    const second = fakeEngine(dir, { runtime: first.runtime, mounts: first.layers.mounts });
    await second.engine.init();
    assert.throws(() => second.engine.get(Id), /No such container/);
    assert.ok(first.runtime.live.has(Id), 'its process still runs');
  });

  it('a restart prepared during its backoff (created, not started) is not adopted: the policy starts it anew', async () => {
    const dir = `${root}/e`;
    const clock = new FakeClock();
    const first = fakeEngine(dir, { clock });
    await first.engine.init();
    const { Id } = await first.engine.create({ Image: 'img', Cmd: ['crash'], HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } });
    await first.engine.start(Id);
    first.runtime.exit(Id, 1);
    const c1 = first.engine.get(Id);
    for (let i = 0; i < 2000 && !(c1.state.Restarting && first.engine.ctx.restarts.isPending(c1)); i++) await new Promise((r) => setTimeout(r, 1));
    clock.advance(1); // into the backoff's last half second, where the restart is prepared
    for (let i = 0; i < 2000 && !(first.runtime.live.has(Id) && !first.runtime.started.has(Id)); i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(await first.runtime.status(Id), 'created', 'the restart is prepared: runc create done, start waits for the backoff');
    const second = fakeEngine(dir, { clock, runtime: first.runtime, mounts: first.layers.mounts });
    await second.engine.init();
    const c = second.engine.get(Id);
    for (let i = 0; i < 2000 && c.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(c.status, 'running');
    assert.equal(await second.runtime.status(Id), 'running', 'its process was started, not left as runc init');
    assert.equal(c.state.Pid, second.runtime.live.get(Id)?.pid);
  });
});
