// Healthchecks against the fake runtime on a fake clock: dockerd's transitions, intervals,
// start period, timeouts, the log of five and the events.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { EngineEvent } from '../events/index.ts';
import type { HealthConfig } from '../types/index.ts';
import { fakeEngine } from './fakes.test-support.ts';
import { validateHealthcheck } from './health.ts';

const root = mkdtempSync('/tmp/berth-health-test-');
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const s = 1e9;

async function settle(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  assert.fail(`never happened: ${what}`);
}

async function setup(healthcheck: HealthConfig) {
  const f = fakeEngine(`${root}/${n++}`);
  await f.engine.init();
  const seen: EngineEvent[] = [];
  void (async () => {
    for await (const e of f.events.subscribe()) seen.push(e);
  })();
  const { Id } = await f.engine.create({ Image: 'img', Cmd: ['sleep'], Healthcheck: healthcheck });
  const c = f.engine.get(Id);
  let exit = 0;
  f.runtime.probeResult = async () => ({ exitCode: exit, output: Buffer.from(`probe ${f.runtime.probes.length}\n`), truncated: false, timedOut: false });
  /** Advances the clock once the next probe is scheduled (the previous one's result is saved first). */
  const tick = async (ms: number) => {
    await settle(() => f.clock.pendingTimers > 0, 'the next probe scheduled');
    f.clock.advance(ms);
  };
  return { ...f, id: Id, c, seen, tick, setExit: (code: number) => (exit = code), health: () => c.state.Health! };
}

describe('healthchecks', () => {
  it('starting, then healthy after a probe, then unhealthy after `retries` failures; events on changes only', async () => {
    const { engine, tick, runtime, id, c, seen, setExit, health } = await setup({ Test: ['CMD-SHELL', 'check'], Interval: 2 * s, Retries: 2 });
    await engine.start(id);
    assert.deepEqual(health(), { Status: 'starting', FailingStreak: 0, Log: [] });
    const [row] = await engine.list({ all: false, filters: new Map([['health', ['starting']]]), size: false });
    assert.match(row.Status, /^Up .* \(health: starting\)$/);
    await tick(2000);
    await settle(() => health().Status === 'healthy', 'healthy');
    assert.deepEqual(runtime.probes[0].process.args, ['/bin/sh', '-c', 'check']);
    assert.equal(runtime.probes[0].timeoutMs, 30_000);
    assert.deepEqual(health().Log.map((l) => [l.ExitCode, l.Output]), [[0, 'probe 1\n']]);
    setExit(1);
    await tick(2000);
    await settle(() => health().FailingStreak === 1, 'one failure');
    assert.equal(health().Status, 'healthy');
    await tick(2000);
    await settle(() => seen.some((e) => e.Action === 'health_status: unhealthy'), 'unhealthy');
    assert.equal(health().FailingStreak, 2);
    const statuses = seen.filter((e) => e.Action.startsWith('health_status')).map((e) => e.Action);
    assert.deepEqual(statuses, ['health_status: healthy', 'health_status: unhealthy']);
    assert.equal(seen.filter((e) => e.Action.startsWith('exec_die')).length, 3);
    assert.match(seen.find((e) => e.Action.startsWith('exec_start'))!.Action, /^exec_start: \/bin\/sh -c check$/);
    const [unhealthy] = await engine.list({ all: false, filters: new Map([['health', ['unhealthy']]]), size: false });
    assert.equal(unhealthy.Id, id);
    assert.match(unhealthy.Status, /\(unhealthy\)$/);
    // the log keeps the last five
    for (let i = 0; i < 4; i++) {
      await tick(2000);
      await settle(() => runtime.probes.length === 4 + i && health().FailingStreak === 3 + i, `probe ${4 + i}`);
    }
    assert.equal(health().Log.length, 5);
    assert.equal(health().Log[4].Output, 'probe 7\n');
    assert.equal(c.record.State.Health, health());
  });

  it('within the start period failures do not count and the start interval applies', async () => {
    const { engine, tick, runtime, id, setExit, health } = await setup({ Test: ['CMD', 'check', '--fast'], Interval: 30 * s, StartPeriod: 10 * s, StartInterval: 1 * s, Retries: 1 });
    setExit(1);
    await engine.start(id);
    for (let i = 1; i <= 3; i++) {
      await tick(1000);
      await settle(() => runtime.probes.length === i && health().Log.length === i, `probe ${i}`);
      assert.deepEqual([health().Status, health().FailingStreak], ['starting', 0]);
    }
    assert.deepEqual(runtime.probes[0].process.args, ['check', '--fast']);
    setExit(0);
    await tick(1000);
    await settle(() => health().Status === 'healthy', 'healthy');
    // healthy: back to the interval
    await tick(29_000);
    assert.equal(runtime.probes.length, 4);
    setExit(1);
    await tick(1000);
    await settle(() => health().Status === 'unhealthy', 'unhealthy after one failure (retries 1)');
  });

  it('a probe that outlives its timeout is a failure with exit code -1', async () => {
    const { engine, tick, runtime, id, health } = await setup({ Test: ['CMD-SHELL', 'sleep 5'], Interval: 1 * s, Timeout: 1 * s, Retries: 1 });
    runtime.probeResult = async () => ({ exitCode: 137, output: Buffer.from('partial'), truncated: true, timedOut: true });
    await engine.start(id);
    await tick(1000);
    await settle(() => health().Status === 'unhealthy', 'unhealthy');
    assert.equal(runtime.probes[0].timeoutMs, 1000);
    assert.deepEqual(health().Log[0].ExitCode, -1);
    assert.equal(health().Log[0].Output, 'Health check exceeded timeout (1s): partial...');
  });

  it('a probe that cannot start is a failure with its error; NONE and no test mean no health', async () => {
    const { engine, tick, runtime, id, health } = await setup({ Test: ['CMD', 'missing'], Interval: 1 * s, Retries: 1 });
    runtime.probeResult = async () => ({ error: 'exec: "missing": executable file not found in $PATH', output: Buffer.alloc(0), truncated: false, timedOut: false });
    await engine.start(id);
    await tick(1000);
    await settle(() => health().Status === 'unhealthy', 'unhealthy');
    assert.deepEqual([health().Log[0].ExitCode, health().Log[0].Output], [-1, 'exec: "missing": executable file not found in $PATH']);
    const none = await setup({ Test: ['NONE'] });
    await none.engine.start(none.id);
    assert.equal(none.c.state.Health, undefined);
    const [row] = await none.engine.list({ all: false, filters: new Map([['health', ['none']]]), size: false });
    assert.doesNotMatch(row.Status, /health/);
  });

  it('a paused container fails its probes without running them, as dockerd refuses the exec', async () => {
    const { engine, tick, runtime, id, health } = await setup({ Test: ['CMD', 'check'], Interval: 1 * s, Retries: 1 });
    await engine.start(id);
    await engine.pause(id);
    await tick(1000);
    await settle(() => health().Status === 'unhealthy', 'unhealthy');
    assert.equal(runtime.probes.length, 0);
    assert.deepEqual([health().Log[0].ExitCode, health().Log[0].Output], [-1, `Container ${id} is paused, unpause the container before exec`]);
  });

  it('an exit stops the probes; a start begins again from starting', async () => {
    const { engine, clock, tick, runtime, id, health } = await setup({ Test: ['CMD', 'check'], Interval: 1 * s });
    await engine.start(id);
    await tick(1000);
    await settle(() => health().Status === 'healthy', 'healthy');
    await engine.stop(id);
    clock.advance(5000);
    await settle(() => true, 'idle');
    assert.equal(runtime.probes.length, 1);
    assert.equal(health().Status, 'healthy', 'the last state stays visible in inspect');
    await engine.start(id);
    assert.equal(health().Status, 'starting');
    assert.equal(health().Log.length, 1);
  });

  it("validates durations and retries with dockerd's messages", async () => {
    assert.throws(() => validateHealthcheck({ Interval: 1000 }), { message: 'Interval in Healthcheck cannot be less than 1ms' });
    assert.throws(() => validateHealthcheck({ Timeout: 10 }), { message: 'Timeout in Healthcheck cannot be less than 1ms' });
    assert.throws(() => validateHealthcheck({ Retries: -1 }), { message: 'Retries in Healthcheck cannot be negative' });
    assert.throws(() => validateHealthcheck({ StartInterval: 5 }), { message: 'StartInterval in Healthcheck cannot be less than 1ms' });
    validateHealthcheck({ Interval: 1_000_000, StartPeriod: 0 });
    const f = fakeEngine(`${root}/${n++}`);
    await f.engine.init();
    await assert.rejects(f.engine.create({ Image: 'img', Cmd: ['x'], Healthcheck: { Test: ['CMD', 'x'], StartPeriod: 1 } }), { kind: 'invalid-argument' });
  });
});
