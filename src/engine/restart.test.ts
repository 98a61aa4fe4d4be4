// Restart policies against the fake runtime on a fake clock: dockerd's decisions, its backoff
// steps, and what stop, kill, start, update and a daemon start do to them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { EngineEvent } from '../events/index.ts';
import { FakeClock } from '../lib/index.ts';
import type { RestartPolicy } from '../types/index.ts';
import { fakeEngine } from './fakes.test-support.ts';
import { initialBackoffMs, maxBackoffMs } from './restart.ts';

const root = mkdtempSync('/tmp/berth-restart-test-');
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** Lets the engine's asynchronous exit handling run (nothing here waits on the real clock). */
let dbg: (() => unknown) | undefined;
async function settle(cond: () => boolean, what: string): Promise<void> {
  // state files are written on the thread pool: poll, giving it time
  for (let i = 0; i < 5000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.fail(`never happened: ${what} ${JSON.stringify(dbg?.())}`);
}

async function setup(policy: RestartPolicy['Name'], options: { max?: number; clock?: FakeClock; dir?: string } = {}) {
  const dir = options.dir ?? `${root}/${n++}`;
  const f = fakeEngine(dir, options.clock ? { clock: options.clock } : {});
  await f.engine.init();
  const seen: EngineEvent[] = [];
  void (async () => {
    for await (const e of f.events.subscribe()) seen.push(e);
  })();
  const { Id } = await f.engine.create({ Image: 'img', Cmd: ['crash'], HostConfig: { RestartPolicy: { Name: policy, MaximumRetryCount: options.max ?? 0 } } });
  const c = f.engine.get(Id);
  /** Restarting, with the restart scheduled (not the end of the previous one). */
  const pending = (x: typeof c) => x.state.Restarting && f.engine.ctx.restarts.isPending(x) && f.clock.pendingTimers > 0;
  return { ...f, dir, id: Id, c, seen, pending };
}

describe('restart policies', () => {
  it('always: restarting with backoff steps of 100 ms doubling, RestartCount and ps status', async () => {
    const { engine, runtime, clock, id, c, pending } = await setup('always');
    await engine.start(id);
    const pid = () => runtime.live.get(id)?.pid;
    dbg = () => [c.state, pid(), clock.pendingTimers, engine.ctx.restarts.isPending(c)];
    let delay = initialBackoffMs;
    for (let restart = 1; restart <= 4; restart++) {
      const before = pid();
      clock.advance(50);
      runtime.exit(id, 1);
      await settle(() => pending(c), 'restarting');
      assert.equal(c.status, 'restarting');
      assert.equal(c.state.Running, true);
      assert.equal(c.state.Pid, 0);
      assert.equal(c.record.RestartCount, restart);
      const [line] = await engine.list({ all: true, filters: new Map([['status', ['restarting']]]), size: false });
      assert.match(line.Status, /^Restarting \(1\) Less than a second ago$/);
      clock.advance(delay - 1);
      await settle(() => true, 'idle');
      assert.equal(c.state.Restarting, true, `still waiting 1 ms before the ${delay} ms step`);
      clock.advance(1);
      await settle(() => c.status === 'running' && pid() !== before, `running again after ${delay} ms`);
      delay *= 2;
    }
  });

  it('the backoff stops at a minute, and a run of 10 s resets it', async () => {
    const { engine, runtime, clock, id, c, pending } = await setup('always');
    await engine.start(id);
    let delay = initialBackoffMs;
    for (let i = 0; i < 12; i++) {
      runtime.exit(id, 2);
      await settle(() => pending(c), 'restarting');
      clock.advance(delay);
      await settle(() => c.status === 'running', 'restarted');
      delay = Math.min(delay * 2, maxBackoffMs);
    }
    assert.equal(delay, maxBackoffMs);
    runtime.exit(id, 2);
    await settle(() => pending(c), 'restarting');
    clock.advance(maxBackoffMs - 1);
    await settle(() => true, 'idle');
    assert.equal(c.state.Restarting, true);
    clock.advance(1);
    await settle(() => c.status === 'running', 'restarted after a minute');
    clock.advance(10_000);
    runtime.exit(id, 2);
    await settle(() => pending(c), 'restarting');
    clock.advance(initialBackoffMs);
    await settle(() => c.status === 'running', 'back to 100 ms after a 10 s run');
  });

  it('on-failure:N restarts a failure N times, and never a clean exit', async () => {
    const { engine, runtime, clock, id, c, seen, pending } = await setup('on-failure', { max: 2 });
    await engine.start(id);
    for (let i = 1; i <= 2; i++) {
      runtime.exit(id, 3);
      await settle(() => pending(c), 'restarting');
      clock.advance(initialBackoffMs * 2 ** (i - 1));
      await settle(() => c.status === 'running', 'restarted');
    }
    runtime.exit(id, 3);
    await settle(() => c.status === 'exited' && seen.filter((e) => e.Action === 'die').length === 3, 'given up');
    assert.equal(c.record.RestartCount, 2);
    assert.equal(seen.filter((e) => e.Action === 'start').length, 3);
    assert.equal(seen.filter((e) => e.Action === 'die').length, 3);
    // a user start begins the count again, and a clean exit is not restarted
    await engine.start(id);
    assert.equal(c.record.RestartCount, 0);
    runtime.exit(id, 0);
    await settle(() => c.status === 'exited', 'exited');
    assert.equal(c.record.RestartCount, 0);
  });

  it('no and unless-stopped after a crash', async () => {
    const no = await setup('no');
    await no.engine.start(no.id);
    no.runtime.exit(no.id, 1);
    await settle(() => no.c.status === 'exited', 'exited');
    const us = await setup('unless-stopped');
    await us.engine.start(us.id);
    us.runtime.exit(us.id, 0);
    await settle(() => us.pending(us.c), 'restarting even after exit 0');
  });

  it('a stop while restarting stops it for good; a later crash of a stopped-then-started one restarts', async () => {
    const { engine, runtime, clock, id, c, seen, pending } = await setup('always');
    await engine.start(id);
    runtime.exit(id, 1);
    await settle(() => pending(c), 'restarting');
    await engine.stop(id);
    assert.equal(c.status, 'exited');
    assert.equal(c.state.ExitCode, 1);
    assert.equal(c.record.HasBeenManuallyStopped, true);
    clock.advance(maxBackoffMs);
    await settle(() => true, 'idle');
    assert.equal(c.status, 'exited', 'the cancelled restart does not happen');
    assert.deepEqual(
      seen.slice(-1).map((e) => e.Action),
      ['stop'],
    );
    await engine.start(id);
    runtime.exit(id, 1);
    await settle(() => pending(c), 'restarting after a user start');
  });

  it('a stop or kill of a running container is not undone by its policy', async () => {
    const { engine, clock, id, c } = await setup('always');
    await engine.start(id);
    await engine.stop(id);
    clock.advance(maxBackoffMs);
    await settle(() => true, 'idle');
    assert.equal(c.status, 'exited');
    await engine.start(id);
    await engine.kill(id, 'SIGKILL');
    clock.advance(maxBackoffMs);
    await settle(() => true, 'idle');
    assert.equal(c.status, 'exited');
  });

  it('rm -f of a restarting container cancels the restart; rm without -f names the state', async () => {
    const { engine, runtime, clock, id, c, pending } = await setup('always');
    await engine.start(id);
    runtime.exit(id, 1);
    await settle(() => pending(c), 'restarting');
    await assert.rejects(engine.remove(id, { force: false, removeVolumes: false }), { message: new RegExp(`^You cannot remove a restarting container ${id}\\. Stop the container`) });
    await engine.remove(id, { force: true, removeVolumes: false });
    clock.advance(maxBackoffMs);
    await settle(() => true, 'idle');
    assert.equal(runtime.live.has(id), false);
  });

  it('update --restart changes the policy of a live container', async () => {
    const { engine, runtime, clock, id, c, seen, pending } = await setup('no');
    await engine.start(id);
    await engine.update(id, { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 }, Memory: 0, CpuShares: 0, BlkioWeightDevice: null });
    assert.deepEqual(c.hostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 1 });
    assert.equal(seen.at(-1)?.Action, 'update');
    runtime.exit(id, 5);
    await settle(() => pending(c), 'restarting under the new policy');
    clock.advance(initialBackoffMs);
    await settle(() => c.status === 'running', 'restarted');
    await assert.rejects(engine.update(id, { RestartPolicy: { Name: 'sometimes' as RestartPolicy['Name'], MaximumRetryCount: 0 } }), { message: "invalid restart policy 'sometimes'" });
    const rm = await setup('no');
    await rm.engine.update(rm.id, { RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } });
    const auto = await rm.engine.create({ Image: 'img', Cmd: ['x'], HostConfig: { AutoRemove: true } });
    await assert.rejects(rm.engine.update(auto.Id, { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }), {
      kind: 'conflict',
      message: `Cannot update container ${auto.Id}: Restart policy cannot be updated because AutoRemove is enabled for the container`,
    });
  });

  it('--rm with a restart policy is refused at create', async () => {
    const { engine } = await setup('no');
    await assert.rejects(engine.create({ Image: 'img', Cmd: ['x'], HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } }), {
      message: "can't create 'AutoRemove' container with restart policy",
    });
  });
});

describe('restart policies at daemon start', () => {
  it('start always (even stopped), unless-stopped unless stopped, on-failure after a failure; never no', async () => {
    const clock = new FakeClock();
    const dir = `${root}/boot`;
    const first = await setup('no', { clock, dir });
    const make = async (name: string, policy: RestartPolicy['Name']) =>
      (await first.engine.create({ Image: 'img', Cmd: ['x'], HostConfig: { RestartPolicy: { Name: policy, MaximumRetryCount: 0 } } }, { name })).Id;
    const ids = {
      always: await make('always', 'always'),
      alwaysStopped: await make('always-stopped', 'always'),
      unless: await make('unless', 'unless-stopped'),
      unlessStopped: await make('unless-stopped', 'unless-stopped'),
      failed: await make('failed', 'on-failure'),
      no: await make('no', 'no'),
      neverStarted: await make('never-started', 'always'),
    };
    for (const [k, id] of Object.entries(ids)) if (k !== 'neverStarted') await first.engine.start(id);
    await first.engine.stop(ids.alwaysStopped);
    await first.engine.stop(ids.unlessStopped);
    // a crash whose restart is pending when the daemon stops
    first.runtime.exit(ids.failed, 1);
    await settle(() => first.engine.get(ids.failed).state.Restarting && first.engine.ctx.restarts.isPending(first.engine.get(ids.failed)), 'restarting');
    // the "reboot": every process is gone
    for (const id of [ids.always, ids.unless, ids.no]) first.runtime.exit(id, 137);
    await settle(() => [ids.always, ids.unless].every((id) => first.engine.get(id).state.Restarting && first.engine.ctx.restarts.isPending(first.engine.get(id))), 'restarting');
    await settle(() => first.engine.get(ids.no).status === 'exited', 'no exited');

    const second = fakeEngine(dir, { clock });
    await second.engine.init();
    const status = (id: string) => second.engine.get(id).status;
    assert.equal(status(ids.always), 'running');
    assert.equal(status(ids.alwaysStopped), 'running');
    assert.equal(status(ids.unless), 'running');
    assert.equal(status(ids.unlessStopped), 'exited');
    assert.equal(status(ids.failed), 'running');
    assert.equal(status(ids.no), 'exited');
    assert.equal(status(ids.neverStarted), 'created');
  });
});
