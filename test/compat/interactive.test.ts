// The real docker CLI on a terminal (a pty from the test) against berthd: run -it, exec -it,
// attach, and the ctrl-p ctrl-q detach — what the seeds do by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst, dockerBin, dockerEnv } from '../helpers/docker-cli.ts';
import { spawnPty, type PtySession } from '../helpers/pty.ts';

let d: TestDaemon;
const sessions: PtySession[] = [];

function dockerPty(args: string[]): PtySession {
  const s = spawnPty(dockerBin, args, { env: dockerEnv(d, { TERM: 'xterm' }), rows: 40, cols: 120 });
  sessions.push(s);
  return s;
}
const docker = (args: string[]) => dockerAgainst(d, args);

before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  for (const s of sessions) s.kill();
  await d?.cleanup();
});

describe('docker CLI on a terminal', () => {
  it('docker run -it: type a command, read its output, exit 3 returns 3', async () => {
    const p = dockerPty(['run', '-it', '--rm', 'busybox', 'sh']);
    await p.waitFor('# ');
    p.write('echo $((40+2)); stty size\r');
    await p.waitFor('42');
    await p.waitFor('40 120');
    p.write('exit 3\r');
    assert.equal(await p.exited, 3);
  });

  it('ctrl-p ctrl-q detaches, docker ps shows it Up; docker attach and docker exec -it reach it', async () => {
    const p = dockerPty(['run', '-it', '--name', 'c1', 'busybox', 'sh']);
    await p.waitFor('# ');
    p.write('\x10\x11');
    assert.equal(await p.exited, 0);
    assert.match(docker(['ps', '--filter', 'name=c1', '--format', '{{.Names}} {{.Status}}']).stdout, /^c1 Up /);

    const e = dockerPty(['exec', '-it', 'c1', 'sh']);
    await e.waitFor('# ');
    e.write('touch /root/123; tty; exit 4\r');
    assert.equal(await e.exited, 4);
    assert.match(e.output(), /\/dev\/pts\/\d+/);
    assert.equal(docker(['exec', 'c1', 'ls', '/root']).stdout, '123\n');

    // Typed before the attach is live, the line waits in the terminal until docker reads it, as
    // for a user: the command's output is the sign that the session works.
    const a = dockerPty(['attach', 'c1']);
    a.write('echo attached-$((2*3))\r');
    await a.waitFor('attached-6');
    a.write('\x10\x11');
    assert.equal(await a.exited, 1, 'docker attach reports a detach as an error');
    assert.match(a.output(), /read escape sequence/);
    assert.match(docker(['ps', '--filter', 'name=c1', '--format', '{{.Status}}']).stdout, /^Up /);

    const b = dockerPty(['attach', 'c1']);
    b.write('exit 7\r');
    assert.equal(await b.exited, 7);
    assert.equal(docker(['inspect', '-f', '{{.State.ExitCode}}', 'c1']).stdout, '7\n');
    docker(['rm', 'c1']);
  });

  it('docker exec, top, pause and unpause without a terminal', () => {
    assert.equal(docker(['run', '-d', '--name', 'c2', 'busybox', 'sleep', '1000']).code, 0);
    assert.equal(docker(['exec', 'c2', 'sh', '-c', 'exit 5']).code, 5);
    const nf = docker(['exec', 'c2', 'nosuch']);
    assert.equal(nf.code, 127);
    assert.match(nf.stdout + nf.stderr, /executable file not found/);
    const top = docker(['top', 'c2']);
    assert.match(top.stdout, /^UID +PID +PPID +C +STIME +TTY +TIME +CMD\n/);
    assert.match(top.stdout, /sleep 1000/);
    assert.equal(docker(['pause', 'c2']).stdout, 'c2\n');
    assert.match(docker(['ps', '--filter', 'name=c2', '--format', '{{.Status}}']).stdout, /\(Paused\)/);
    assert.match(docker(['exec', 'c2', 'true']).stderr, /is paused, unpause the container before exec/);
    assert.equal(docker(['unpause', 'c2']).stdout, 'c2\n');
    docker(['rm', '-f', 'c2']);
  });
});
