// Lifecycle and attach logic against fake runtime and layers: the races real daemons only show
// under load, made deterministic.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fakeEngine } from './fakes.test-support.ts';

const root = mkdtempSync('/tmp/berth-engine-test-');
after(() => rmSync(root, { recursive: true, force: true }));

describe('attach and start', () => {
  it('an attach that arrives after the process exists but before start returns connects at once', async () => {
    const { engine, runtime } = fakeEngine(`${root}/a`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['true'] });
    let open!: () => void;
    runtime.startGate = new Promise((r) => (open = r));
    const starting = engine.start(Id);
    // let create run; start is now held between `runc create` and `runc start`
    for (let i = 0; i < 500 && !runtime.live.has(Id); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(runtime.live.has(Id));
    const session = await engine.attach(Id, { stdin: false, stdout: true, stderr: true, logs: false, stream: true }, () => {});
    assert.equal(runtime.live.get(Id)!.attaches.length, 1, 'the attach waited for a start that already happened');
    open();
    await starting;
    runtime.exit(Id, 0);
    await session.done;
  });

  it('an attach before start waits for it, and one after exit has nothing to stream', async () => {
    const { engine, runtime } = fakeEngine(`${root}/b`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['true'] });
    const early = await engine.attach(Id, { stdin: false, stdout: true, stderr: true, logs: false, stream: true }, () => {});
    await engine.start(Id);
    assert.equal(runtime.live.get(Id)!.attaches.length, 1);
    runtime.exit(Id, 3);
    await early.done;
    assert.deepEqual(await engine.wait(Id, 'not-running'), { StatusCode: 3, Error: null });
  });
});

describe('exits', () => {
  it('an exit reported while an earlier check is in flight is not lost', async () => {
    const { engine, runtime } = fakeEngine(`${root}/c`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['true'] });
    await engine.start(Id);
    const waiting = engine.wait(Id, 'not-running');
    // two reports in a row: the first check may run before the exit is recorded
    runtime.exit(Id, 5);
    runtime.exit(Id, 5);
    assert.deepEqual(await waiting, { StatusCode: 5, Error: null });
  });

  it('a rm that follows a wait sees the exit saved', async () => {
    const { engine, runtime } = fakeEngine(`${root}/d`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['true'] });
    await engine.start(Id);
    const waiting = engine.wait(Id, 'not-running');
    runtime.exit(Id, 0);
    await waiting;
    await engine.remove(Id, { force: false, removeVolumes: false });
    assert.throws(() => engine.get(Id), /No such container/);
  });

  it('--rm removes the container after its exit, and wait(removed) returns then', async () => {
    const { engine, runtime } = fakeEngine(`${root}/e`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['true'], HostConfig: { AutoRemove: true } });
    const removed = engine.wait(Id, 'removed');
    await engine.start(Id);
    runtime.exit(Id, 0);
    assert.equal((await removed).StatusCode, 0);
    assert.throws(() => engine.get(Id), /No such container/);
  });

  // The signal finds the process gone before the watcher reported its exit: the verb records the
  // exit itself while it holds the container's lock, and the --rm removal that exit calls for
  // needs that lock. Waiting for the removal there held the lock for ever (seen in the API fuzz).
  for (const verb of ['kill', 'rm -f'] as const) {
    it(`a ${verb} that finds a --rm container's process just ended returns, and the container is removed`, async () => {
      const { engine, runtime } = fakeEngine(`${root}/rm-race-${verb === 'kill' ? 'kill' : 'rm'}`);
      await engine.init();
      const { Id } = await engine.create({ Image: 'img', Cmd: ['true'], HostConfig: { AutoRemove: true } });
      await engine.start(Id);
      const removed = engine.wait(Id, 'removed');
      runtime.exit(Id, 0, { reported: false });
      if (verb === 'kill') await engine.kill(Id, 'SIGKILL');
      else await engine.remove(Id, { force: true, removeVolumes: true });
      assert.equal((await removed).StatusCode, 0);
      assert.throws(() => engine.get(Id), /No such container/);
    });
  }
});

describe('a stop that waits', () => {
  const settle = async () => {
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  };

  it('stop -t -1 waits for the exit, and rm -f still removes the container', async () => {
    const { engine, runtime } = fakeEngine(`${root}/f`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['sleep'] });
    await engine.start(Id);
    runtime.ignoredSignals.add(15);
    let stopped = false;
    const stopping = engine.stop(Id, { timeout: -1 }).then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, 'the stop waits for the process to end');
    assert.equal(engine.get(Id).state.Running, true);
    await engine.remove(Id, { force: true, removeVolumes: false });
    await stopping;
    assert.throws(() => engine.get(Id), /No such container/);
  });

  it('a timeout too long for a timer waits instead of killing at once, and kill ends it', async () => {
    const { engine, runtime } = fakeEngine(`${root}/g`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['sleep'] });
    await engine.start(Id);
    runtime.ignoredSignals.add(15);
    let stopped = false;
    const stopping = engine.stop(Id, { timeout: 9_999_999_999 }).then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false);
    assert.equal(engine.get(Id).state.Running, true, 'not killed by an overflowing timer');
    await engine.kill(Id, 'SIGKILL');
    await stopping;
    assert.equal(engine.get(Id).state.ExitCode, 137);
  });

  it('restart -t -1 cut short by rm -f does not start the container again', async () => {
    const { engine, runtime } = fakeEngine(`${root}/h`);
    await engine.init();
    const { Id } = await engine.create({ Image: 'img', Cmd: ['sleep'] });
    await engine.start(Id);
    runtime.ignoredSignals.add(15);
    const restarting = engine.restart(Id, { timeout: -1 }).then(
      () => 'restarted',
      (err: Error) => err.message,
    );
    await settle();
    await engine.remove(Id, { force: true, removeVolumes: false });
    assert.equal(await restarting, `Cannot restart container ${Id}: container is marked for removal and cannot be started`);
    assert.throws(() => engine.get(Id), /No such container/);
    assert.equal(runtime.live.size, 0, 'no process was started again');
  });
});
