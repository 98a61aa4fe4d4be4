// Exec sessions, pause and top against the fake runtime: state checks and the exit bookkeeping.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fakeEngine } from './fakes.test-support.ts';
import { parsePsOutput } from './top.ts';

const root = mkdtempSync('/tmp/berth-exec-test-');
after(() => rmSync(root, { recursive: true, force: true }));

async function running(dir: string) {
  const f = fakeEngine(`${root}/${dir}`);
  await f.engine.init();
  const { Id } = await f.engine.create({ Image: 'img', Cmd: ['sleep', '100'], Env: ['A=1'] });
  await f.engine.start(Id);
  return { ...f, Id };
}

describe('exec', () => {
  it('runs with the container process as base; the exit code lands in inspect', async () => {
    const { engine, runtime, Id } = await running('a');
    const { Id: execId } = engine.createExec(Id, { Cmd: ['env'], Env: ['A=2', 'B=3'], Tty: true, WorkingDir: '/tmp' });
    assert.equal((engine.inspectExec(execId) as { Running: boolean }).Running, false);
    await engine.startExec(execId, { detach: true }, () => {});
    const call = runtime.execs.get(execId)!;
    assert.deepEqual(call.options.process.args, ['env']);
    assert.deepEqual(call.options.process.env, ['PATH=/usr/bin:/bin', 'HOME=/root', 'A=2', 'B=3', 'TERM=xterm']);
    assert.equal(call.options.process.cwd, '/tmp');
    assert.equal(call.options.process.terminal, true);
    const live = engine.inspectExec(execId) as { Running: boolean; ExitCode: number | null; Pid: number };
    assert.deepEqual([live.Running, live.ExitCode], [true, null]);
    assert.ok(live.Pid > 0);
    assert.deepEqual((await engine.inspect(Id)).ExecIDs, [execId]);
    call.finish(5);
    await new Promise((r) => setImmediate(r));
    const done = engine.inspectExec(execId) as { Running: boolean; ExitCode: number | null };
    assert.deepEqual([done.Running, done.ExitCode], [false, 5]);
    assert.equal((await engine.inspect(Id)).ExecIDs, null);
    await assert.rejects(engine.startExec(execId, { detach: true }, () => {}), /is already running/);
  });

  it('maps a command that cannot be found to 127, with docker message', async () => {
    const { engine, Id } = await running('b');
    const { Id: execId } = engine.createExec(Id, { Cmd: ['missing'] });
    await assert.rejects(engine.startExec(execId, { detach: true }, () => {}), /^SystemError: OCI runtime exec failed: exec: "missing": executable file not found in \$PATH: unknown$/);
    assert.equal((engine.inspectExec(execId) as { ExitCode: number }).ExitCode, 127);
  });

  it('refuses empty commands, stopped and paused containers, unknown ids', async () => {
    const { engine, runtime, Id } = await running('c');
    assert.throws(() => engine.createExec(Id, { Cmd: [] }), /No exec command specified/);
    await engine.pause(Id);
    assert.throws(() => engine.createExec(Id, { Cmd: ['true'] }), /is paused, unpause the container before exec/);
    await assert.rejects(engine.pause(Id), /is already paused/);
    assert.equal((await engine.inspect(Id)).State && ((await engine.inspect(Id)).State as { Status: string }).Status, 'paused');
    await engine.unpause(Id);
    await assert.rejects(engine.unpause(Id), /is not paused/);
    runtime.exit(Id, 0);
    await engine.wait(Id, 'not-running');
    assert.throws(() => engine.createExec(Id, { Cmd: ['true'] }), /Container [0-9a-f]{64} is not running/);
    assert.throws(() => engine.inspectExec('nope'), /No such exec instance: nope/);
    await assert.rejects(engine.top(Id, ''), /is not running/);
  });
});

describe('top', () => {
  it("keeps the container's rows; the last column keeps its spaces", () => {
    const ps = 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 /sbin/init splash\nroot 42 1 0 10:01 ? 00:00:00 sleep 1000\n';
    assert.deepEqual(parsePsOutput(ps, new Set([42])), {
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [['root', '42', '1', '0', '10:01', '?', '00:00:00', 'sleep 1000']],
    });
    assert.throws(() => parsePsOutput('USER COMMAND\nroot x\n', new Set()), /Couldn't find PID field in ps output/);
  });
});
