// Attach and exec sessions whose clients go away give back every descriptor at once (the client's
// connection, conmon's attach socket and its second descriptor), while the container runs on; a
// client that only half-closes keeps receiving output. Counted in /proc/<berthd>/fd.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { fdCount, fdTargets } from '../../helpers/leftovers.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A hijacked attach or exec-start connection (its own, not kept alive). */
function hijack(path: string, body?: unknown): Promise<{ sock: Socket; output: () => string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      socketPath: d.socket,
      method: 'POST',
      path,
      agent: false,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}) },
    });
    req.on('upgrade', (_res, sock: Socket, head: Buffer) => {
      let out = head.toString('latin1');
      sock.on('data', (c: Buffer) => (out += c.toString('latin1')));
      sock.on('error', () => {});
      resolve({ sock, output: () => out });
    });
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A JSON request on a connection of its own (a kept-alive one would count among berthd's fds). */
function post(path: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request({ socketPath: d.socket, method: 'POST', path, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** berthd's descriptor count once it has settled at or below `target` (or the last count seen). */
async function fdsSettled(target: number): Promise<number> {
  let n = fdCount(d.process.pid!);
  for (let i = 0; i < 50 && n > target; i++) {
    await sleep(100);
    n = fdCount(d.process.pid!);
  }
  return n;
}

describe('dropped sessions', () => {
  it('attach clients that go away release their descriptors while the container runs on', async () => {
    const quiet = d.berthOk(['run', '-d', 'busybox', 'sleep', '600']).trim();
    const interactive = d.berthOk(['run', '-d', '-i', 'busybox', 'sh', '-c', 'while read l; do echo "$l"; done; sleep 600']).trim();
    await sleep(300);
    const before = fdCount(d.process.pid!);
    const listing = fdTargets(d.process.pid!);
    for (let i = 0; i < 4; i++) {
      const a = await hijack(`/containers/${quiet}/attach?stream=1&stdout=1&stderr=1`);
      const b = await hijack(`/containers/${interactive}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
      await sleep(100);
      a.sock.destroy();
      b.sock.destroy();
    }
    const after = await fdsSettled(before);
    assert.equal(after, before, `descriptors held after the clients left:\n${fdTargets(d.process.pid!).filter((l) => !listing.includes(l)).join('\n')}`);
    assert.match(d.berthOk(['inspect', '-f', '{{.State.Status}}', quiet, interactive]), /^running\nrunning\n$/);
    d.berthOk(['rm', '-f', quiet, interactive]);
  });

  it('an exec client that goes away releases its connection; the process runs to its end', async () => {
    const id = d.berthOk(['run', '-d', 'busybox', 'sleep', '600']).trim();
    await sleep(300);
    const before = fdCount(d.process.pid!);
    const exec = JSON.parse(await post(`/containers/${id}/exec`, { Cmd: ['sh', '-c', 'sleep 2; echo done > /tmp/done'], AttachStdout: true })) as { Id: string };
    const s = await hijack(`/exec/${exec.Id}/start`, {});
    await sleep(200);
    s.sock.destroy();
    const running = await fdsSettled(before + 4);
    // conmon's pipes (its stderr, the sync pipe with the exit code, the start and attach pipes) stay until the process ends
    assert.ok(running <= before + 4, `${running - before} descriptors held for a dropped exec`);
    assert.equal(d.berthOk(['exec', id, 'sh', '-c', 'for i in $(seq 50); do [ -e /tmp/done ] && break; sleep 0.1; done; cat /tmp/done']), 'done\n');
    assert.equal(await fdsSettled(before), before, 'all released once it ended');
    d.berthOk(['rm', '-f', id]);
  });

  it('a client that half-closes keeps receiving output', async () => {
    const id = d.berthOk(['run', '-d', '-i', 'busybox', 'sh', '-c', 'read l; sleep 1; echo "got $l"; sleep 600']).trim();
    const s = await hijack(`/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
    s.sock.end('hello\n');
    for (let i = 0; i < 50 && !s.output().includes('got hello'); i++) await sleep(100);
    assert.match(s.output(), /got hello/);
    s.sock.destroy();
    d.berthOk(['rm', '-f', id]);
  });

  it('an attach waiting for a start ends when the container is removed', async () => {
    const id = d.berthOk(['create', 'busybox', 'true']).trim();
    const before = fdCount(d.process.pid!);
    const s = await hijack(`/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
    const ended = new Promise<void>((r) => s.sock.once('close', () => r()));
    d.berthOk(['rm', id]);
    await ended;
    assert.equal(await fdsSettled(before), before);
  });
});
