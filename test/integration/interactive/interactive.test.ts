// Interactive containers through the berth CLI on a real terminal (a pty from the test): -it,
// detach keys, attach, stdin, exec, top, pause — against a real berthd with runc and conmon.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { berthBin, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { spawnPty, type PtySession } from '../../helpers/pty.ts';

let d: TestDaemon;
const sessions: PtySession[] = [];
const children: ChildProcess[] = [];

before(async () => {
  d = await startDaemon();
  const r = d.berth(['pull', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  for (const s of sessions) s.kill();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await d?.cleanup();
});

const ok = (args: string[], input?: string) => d.berthOk(args, input);

function berthPty(args: string[]): PtySession {
  const s = spawnPty(berthBin, ['-H', d.host, ...args], { rows: 30, cols: 100 });
  sessions.push(s);
  return s;
}

const status = (name: string) => ok(['inspect', '-f', '{{.State.Status}}', name]).trim();

/**
 * Polls `condition` until it holds. The deadline only keeps a broken build from hanging the
 * suite; nothing here depends on how long a step takes.
 */
async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > deadlineMs) assert.fail(`still waiting for ${what}`);
    await sleep(25);
  }
}

/** A berth process whose stdout can be read while it runs. */
function berthStreaming(args: string[]): { output(): string; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(berthBin, ['-H', d.host, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.resume();
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  return { output: () => stdout, done };
}

describe('run -it', () => {
  it('gives the container a terminal of our size; exit returns its code', async () => {
    const p = berthPty(['run', '-it', '--rm', 'busybox', 'sh']);
    await p.waitFor('# ');
    p.write('tty; stty size; echo $((6*7))\r');
    await p.waitFor('42');
    assert.match(p.output(), /\/dev\/pts\/0/);
    assert.match(p.output(), /30 100/);
    p.write('exit 3\r');
    assert.equal(await p.exited, 3);
  });

  it('ctrl-d ends the shell', async () => {
    const p = berthPty(['run', '-it', '--rm', 'busybox', 'sh']);
    await p.waitFor('# ');
    p.write('\x04');
    assert.equal(await p.exited, 0);
  });

  it('ctrl-p ctrl-q leaves the container running; attach takes the terminal back', async () => {
    const p = berthPty(['run', '-it', '--name', 'detachme', 'busybox', 'sh']);
    await p.waitFor('# ');
    p.write('\x10\x11');
    assert.equal(await p.exited, 0);
    assert.equal(status('detachme'), 'running');
    assert.match(ok(['ps', '--filter', 'name=detachme', '--format', '{{.Status}}']), /^Up /);

    // Typed before the attach is live, the line waits in the terminal until berth reads it, as
    // for a user: the command's output is the sign that the session works.
    const a = berthPty(['attach', '--detach-keys', 'ctrl-x,x', 'detachme']);
    a.write('echo back-$((1+1))\r');
    await a.waitFor('back-2');
    a.write('\x18x');
    assert.equal(await a.exited, 1, 'docker attach reports a detach as an error');
    assert.match(a.output(), /read escape sequence/);
    assert.equal(status('detachme'), 'running');

    const b = berthPty(['attach', 'detachme']);
    b.write('exit 5\r');
    assert.equal(await b.exited, 5);
    assert.equal(status('detachme'), 'exited');
    ok(['rm', 'detachme']);
  });

  it('rejects invalid detach keys', () => {
    const r = d.berth(['run', '-it', '--detach-keys', 'ctrl-1', '--rm', 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Invalid escape keys \(ctrl-1\) provided/);
  });
});

describe('stdin', () => {
  it('reaches the container, and its close ends it', () => {
    assert.equal(ok(['run', '-i', '--rm', 'busybox', 'cat'], 'x\n'), 'x\n');
    assert.equal(ok(['run', '-i', '--rm', 'busybox', 'wc', '-c'], 'a'.repeat(100_000)).trim(), '100000');
  });

  it("passes piped stdin through untouched, the detach keys among it (they are a terminal's)", () => {
    // 1 MB with ctrl-p ctrl-q (the default detach keys) in it, as random bytes have it every 64 KB
    const input = Buffer.concat([Buffer.from('a\x10\x11b'), randomBytes(1 << 20), Buffer.from('\x10\x11')]);
    const md5 = `${createHash('md5').update(input).digest('hex')}  -\n`;
    assert.equal(d.berth(['run', '-i', '--rm', 'busybox', 'md5sum'], { input }).stdout, md5);
    const id = ok(['run', '-d', 'busybox', 'sleep', '600']).trim();
    try {
      assert.equal(d.berth(['exec', '-i', id, 'md5sum'], { input }).stdout, md5);
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it('-a picks the streams', () => {
    const r = d.berth(['run', '-a', 'stderr', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'err\n');
    const i = d.berth(['run', '-a', 'stdin', '-a', 'stdout', '-i', '--rm', 'busybox', 'cat'], { input: 'in\n' });
    assert.equal(i.stdout, 'in\n');
  });

  it('start -ai attaches stdin and returns the exit code', () => {
    ok(['create', '-i', '--name', 'startai', 'busybox', 'sh', '-c', 'read l; echo got $l; exit 4']);
    const r = d.berth(['start', '-ai', 'startai'], { input: 'line\n' });
    assert.equal(r.stdout, 'got line\n');
    assert.equal(r.code, 4);
    ok(['rm', 'startai']);
  });
});

describe('attach', () => {
  it('several clients see the same output', async () => {
    ok(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.2; done']);
    const ticks = (s: string) => s.split('\n').filter((l) => l.startsWith('tick'));
    const a = berthStreaming(['attach', '--no-stdin', 'ticker']);
    const b = berthStreaming(['attach', '--no-stdin', 'ticker']);
    await until(() => ticks(a.output()).length >= 4 && ticks(b.output()).length >= 4, 'both clients to see ticks');
    ok(['stop', '-t', '1', 'ticker']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.ok(ticks(ra.stdout).length >= 3, ra.stdout);
    assert.ok(ticks(rb.stdout).length >= 3, rb.stdout);
    const common = ticks(ra.stdout).filter((t) => ticks(rb.stdout).includes(t));
    assert.ok(common.length >= 3, `${ra.stdout} / ${rb.stdout}`);
    ok(['rm', 'ticker']);
  });

  it('refuses a stopped container as docker does', () => {
    ok(['create', '--name', 'stopped1', 'busybox', 'true']);
    const r = d.berth(['attach', 'stopped1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /You cannot attach to a stopped container, start it first/);
    ok(['rm', 'stopped1']);
  });
});

describe('exec', () => {
  before(() => {
    ok(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '1000']);
  });
  after(() => {
    d.berth(['rm', '-f', 'ex']);
  });

  it('runs commands with the container environment, -e, --env-file, -u, -w', () => {
    assert.equal(ok(['exec', 'ex', 'echo', 'hi']), 'hi\n');
    ok(['exec', 'ex', 'touch', '/root/123']);
    assert.equal(ok(['exec', 'ex', 'ls', '/root']), '123\n');
    const envFile = join(d.base, 'exec.env');
    writeFileSync(join(d.base, 'exec.env'), 'FROMFILE=yes\n');
    const out = ok(['exec', '-e', 'A=1', '--env-file', envFile, '-u', 'nobody', '-w', '/tmp', 'ex', 'sh', '-c', 'echo $A $FROMFILE $(id -u) $(pwd) $PATH']);
    assert.equal(out, '1 yes 65534 /tmp /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  });

  it('exits with the process code, 126 and 127 as docker', () => {
    assert.equal(d.berth(['exec', 'ex', 'sh', '-c', 'exit 9']).code, 9);
    const nf = d.berth(['exec', 'ex', 'no-such-command']);
    assert.equal(nf.code, 127);
    assert.match(nf.stdout + nf.stderr, /OCI runtime exec failed: .*executable file not found in \$PATH/);
    assert.equal(d.berth(['exec', 'ex', '/etc/passwd']).code, 126);
  });

  it('-i passes stdin and its close; -d returns at once', async () => {
    assert.equal(ok(['exec', '-i', 'ex', 'cat'], 'piped\n'), 'piped\n');
    assert.equal(ok(['exec', '-d', 'ex', 'sh', '-c', 'sleep 0.3; touch /tmp/detached']), '');
    await until(() => d.berth(['exec', 'ex', 'test', '-f', '/tmp/detached']).code === 0, 'the detached exec to create its file');
  });

  it('--privileged gives the full capability set', () => {
    const capEff = (args: string[]) => /CapEff:\s*([0-9a-f]+)/.exec(ok(['exec', ...args, 'ex', 'cat', '/proc/self/status']))![1]!;
    assert.equal(capEff([]), '00000000a80425fb');
    assert.notEqual(capEff(['--privileged']), '00000000a80425fb');
  });

  it('-it gets a terminal', async () => {
    const p = berthPty(['exec', '-it', 'ex', 'sh']);
    await p.waitFor('# ');
    p.write('tty; exit 2\r');
    assert.equal(await p.exited, 2);
    assert.match(p.output(), /\/dev\/pts\/\d+/);
  });

  it('the exec API reports Running, Pid and ExitCode; resize of an unknown exec is 404', async () => {
    const created = await d.api('POST', '/containers/ex/exec', { Cmd: ['sh', '-c', 'sleep 0.5; exit 6'] });
    assert.equal(created.status, 201);
    const { Id } = JSON.parse(created.body) as { Id: string };
    const started = await d.api('POST', `/exec/${Id}/start`, { Detach: true });
    assert.equal(started.status, 200);
    const running = JSON.parse((await d.api('GET', `/exec/${Id}/json`)).body) as { Running: boolean; Pid: number; ExitCode: number | null };
    assert.equal(running.Running, true);
    assert.ok(running.Pid > 0);
    assert.equal(running.ExitCode, null);
    const inspectExec = async () => JSON.parse((await d.api('GET', `/exec/${Id}/json`)).body) as { Running: boolean; ExitCode: number };
    await until(async () => !(await inspectExec()).Running, 'the exec to end');
    const done = await inspectExec();
    assert.deepEqual([done.Running, done.ExitCode], [false, 6]);
    const again = await d.api('POST', `/exec/${Id}/start`, { Detach: true });
    assert.equal(again.status, 409);
    assert.equal((await d.api('POST', '/exec/nope/resize?h=10&w=10')).status, 404);
    assert.equal((await d.api('GET', '/exec/nope/json')).status, 404);
    assert.equal((await d.api('POST', '/containers/ex/exec', { Cmd: [] })).status, 400);
  });

  it('refuses a stopped container with 409, and exec processes die with their container', async () => {
    ok(['run', '-d', '--name', 'shortlived', 'busybox', 'sleep', '1000']);
    ok(['exec', '-d', 'shortlived', 'sleep', '999']);
    const before = spawnSync('pgrep', ['-f', 'sleep 999'], { encoding: 'utf8' }).stdout.trim();
    assert.notEqual(before, '');
    ok(['kill', 'shortlived']);
    const alive = () =>
      before.split('\n').filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('999');
        } catch {
          return false;
        }
      });
    await until(() => alive().length === 0, 'the exec processes to die with their container');
    assert.deepEqual(alive(), []);
    const r = d.berth(['exec', 'shortlived', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: Container [0-9a-f]{64} is not running/);
    const api = await d.api('POST', '/containers/shortlived/exec', { Cmd: ['true'] });
    assert.equal(api.status, 409);
    ok(['rm', 'shortlived']);
  });
});

describe('top, pause, unpause', () => {
  it('top lists the container processes with ps options passed through', () => {
    ok(['run', '-d', '--name', 'topme', 'busybox', 'sleep', '1000']);
    const def = ok(['top', 'topme']).split('\n');
    assert.match(def[0]!, /^UID +PID +PPID +C +STIME +TTY +TIME +CMD/);
    assert.match(def[1]!, /sleep 1000$/);
    const aux = ok(['top', 'topme', 'aux']).split('\n');
    assert.match(aux[0]!, /^USER +PID +%CPU +%MEM/);
    assert.equal(aux.filter((l) => l.includes('sleep 1000')).length, 1);
    const r = d.berth(['top', 'nosuch']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such container: nosuch/);
  });

  it('pause freezes the container; ps and inspect show it; stop works on it', () => {
    assert.equal(ok(['pause', 'topme']), 'topme\n');
    assert.equal(status('topme'), 'paused');
    assert.match(ok(['ps', '--filter', 'name=topme', '--format', '{{.Status}}']), /^Up .* \(Paused\)$/m);
    assert.match(ok(['ps', '--filter', 'status=paused', '--format', '{{.Names}}']), /topme/);
    const again = d.berth(['pause', 'topme']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is already paused/);
    const ex = d.berth(['exec', 'topme', 'true']);
    assert.match(ex.stderr, /is paused, unpause the container before exec/);
    assert.equal(ok(['unpause', 'topme']), 'topme\n');
    assert.equal(status('topme'), 'running');
    assert.match(d.berth(['unpause', 'topme']).stderr, /is not paused/);
    ok(['pause', 'topme']);
    ok(['stop', '-t', '1', 'topme']);
    assert.equal(status('topme'), 'exited');
    ok(['start', 'topme']);
    ok(['pause', 'topme']);
    ok(['kill', 'topme']);
    assert.equal(status('topme'), 'exited');
    ok(['rm', 'topme']);
  });
});

describe('clients that go away', () => {
  const berthdFds = () => readdirSync(`/proc/${d.process.pid}/fd`).length;
  const conmons = () =>
    spawnSync('pgrep', ['-x', 'conmon'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((pid) => pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(d.execRoot)).length;

  /** Sends a hijack request and drops the connection as soon as the stream starts. */
  function dropMidStream(path: string, body: unknown): Promise<void> {
    return new Promise((resolve) => {
      const sock = net.connect(d.socket);
      const payload = JSON.stringify(body);
      sock.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`);
      sock.once('data', () => {
        // Dropped as soon as the input has left: mid-stream for the daemon.
        sock.write('some input\n', () => {
          sock.destroy();
          resolve();
        });
      });
      sock.on('error', () => resolve());
    });
  }

  it('50 attach and exec disconnects leak no fd and no conmon', async () => {
    ok(['run', '-d', '-i', '--name', 'leaky', 'busybox', 'sh', '-c', 'while true; do echo x; sleep 0.05; done']);
    // Settled: the container runs and its output reaches the daemon.
    await until(() => ok(['logs', '--tail', '1', 'leaky']).includes('x'), 'the container to log');
    const fds0 = berthdFds();
    const conmon0 = conmons();
    const execs: string[] = [];
    for (let i = 0; i < 25; i++) {
      await dropMidStream('/containers/leaky/attach?stream=1&stdin=1&stdout=1&stderr=1', {});
      const created = await d.api('POST', '/containers/leaky/exec', { Cmd: ['sh', '-c', 'cat; sleep 0.2'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
      const { Id } = JSON.parse(created.body) as { Id: string };
      execs.push(Id);
      await dropMidStream(`/exec/${Id}/start`, { Detach: false });
    }
    // exec processes end on their own (stdin closed, then sleep 0.2); their conmons and fds go with them
    const running = async () => {
      for (const id of execs) if ((JSON.parse((await d.api('GET', `/exec/${id}/json`)).body) as { Running: boolean }).Running) return true;
      return false;
    };
    await until(async () => !(await running()), 'the exec processes to end');
    await until(() => berthdFds() <= fds0 + 2 && conmons() === conmon0, 'the sessions\' fds and conmons to be released');
    assert.equal(status('leaky'), 'running');
    assert.ok(berthdFds() <= fds0 + 2, `berthd fds grew: ${fds0} → ${berthdFds()}`);
    assert.equal(conmons(), conmon0);
    assert.equal(ok(['exec', 'leaky', 'echo', 'still-fine']), 'still-fine\n');
    ok(['rm', '-f', 'leaky']);
  });
});
