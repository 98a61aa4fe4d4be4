// berthd is not the containers' parent: they outlive it, their exits are recorded while it is
// down, and a crash in the middle of a create leaves nothing half-made.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('process model', () => {
  it('one conmon per container; berthd is not their parent', async () => {
    const id = ok(['run', '-d', '--name', 'kid', 'busybox', 'sleep', '300']).trim();
    const conmon = Number(readFileSync(join(d.execRoot, 'containers', id, 'conmon.pid'), 'utf8'));
    assert.match(readFileSync(`/proc/${conmon}/cmdline`, 'utf8'), /^(\/usr\/bin\/)?conmon\0/);
    const ppid = Number(readFileSync(`/proc/${conmon}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    assert.notEqual(ppid, d.process.pid);
    const pid = Number(ok(['inspect', '-f', '{{.State.Pid}}', 'kid']));
    const cppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    assert.equal(cppid, conmon, "the container's parent is its conmon");
    ok(['rm', '-f', 'kid']);
    // conmon records the exit, then tidies up and leaves
    for (let i = 0; i < 40 && processAlive(conmon); i++) await sleep(50);
    assert.ok(!processAlive(conmon), 'conmon outlived its container');
  });

  it('SIGTERM stops berthd and leaves containers running; a new berthd adopts them', async () => {
    ok(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'echo before; while true; do sleep 0.2; done']);
    ok(['run', '-d', '--name', 'dies-while-down', 'busybox', 'sh', '-c', 'sleep 2; echo bye; exit 7']);
    const pid = Number(ok(['inspect', '-f', '{{.State.Pid}}', 'survivor']));
    assert.equal(await d.stop('SIGTERM'), 0);
    assert.ok(!existsSync(d.socket), 'the socket is removed on shutdown');
    assert.ok(processAlive(pid), 'the container died with berthd');
    await sleep(3000); // dies-while-down exits now, with nobody listening
    await d.start();
    assert.match(ok(['ps', '--format', '{{.Names}} {{.Status}}']), /^survivor Up /m);
    assert.match(ok(['ps', '-a', '--filter', 'name=dies-while-down', '--format', '{{.Status}}']), /^Exited \(7\) /);
    assert.equal(ok(['logs', 'dies-while-down']), 'bye\n');
    assert.equal(ok(['logs', 'survivor']), 'before\n');
    const finished = ok(['inspect', '-f', '{{.State.FinishedAt}}', 'dies-while-down']).trim();
    assert.ok(Date.parse(finished) < Date.now() - 500, `FinishedAt ${finished} is the exit time, not the time berthd noticed`);
    // the adopted container is fully controllable, and its later exit is noticed
    const waiting = d.berthAsync(['wait', 'survivor']);
    await sleep(200);
    ok(['kill', 'survivor']);
    assert.equal((await waiting).stdout, '137\n');
    assert.ok(!processAlive(pid));
  });

  it('a second berthd on the same data root is refused', async () => {
    const second = spawn(process.execPath, [join(repoRoot, 'dist/berthd.mjs'), '--data-root', d.dataRoot, '--exec-root', join(d.base, 'exec2'), '-H', `unix://${join(d.base, 'second.sock')}`, '--config-file', join(d.base, 'daemon.json')]);
    let err = '';
    second.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => second.on('exit', (c) => r(c)));
    assert.equal(code, 1);
    assert.match(err, new RegExp(`data root ${d.dataRoot} is in use by another berthd \\(pid ${d.process.pid}\\)`));
  });

  for (const point of ['create:after-mkdir', 'rwlayer:after-init', 'create:after-layer', 'save:between-files']) {
    it(`SIGKILL during create (${point}) leaves nothing half-made after a restart`, async () => {
      const layersBefore = readdirSync(join(d.dataRoot, 'overlay2')).sort();
      const containersBefore = readdirSync(join(d.dataRoot, 'containers')).sort();
      await d.stop();
      await d.startWithEnv({ BERTH_FAULT: point });
      const r = d.berth(['create', '--name', 'half', 'busybox', 'true']);
      assert.notEqual(r.code, 0);
      await new Promise<void>((resolve) => {
        if (d.process.exitCode !== null || d.process.signalCode !== null) resolve();
        else d.process.once('exit', () => resolve());
      });
      assert.equal(d.process.signalCode, 'SIGKILL', 'the fault point was not reached');
      await d.start();
      assert.deepEqual(readdirSync(join(d.dataRoot, 'overlay2')).sort(), layersBefore);
      assert.deepEqual(readdirSync(join(d.dataRoot, 'containers')).sort(), containersBefore);
      assert.equal(d.berth(['inspect', 'half']).code, 1);
      // and the name is free again
      ok(['create', '--name', 'half', 'busybox', 'true']);
      ok(['rm', 'half']);
    });
  }
});
