// Logs and non-tty attach: what conmon wrote, read back with docker's options and framing.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);

/** Splits a multiplexed stream into [stream id, payload] frames. */
function frames(buf: Buffer): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    assert.deepEqual([...buf.subarray(off + 1, off + 4)], [0, 0, 0], 'frame header bytes 1-3 must be zero');
    const size = buf.readUInt32BE(off + 4);
    out.push([buf[off], buf.subarray(off + 8, off + 8 + size).toString()]);
    off += 8 + size;
  }
  assert.equal(off, buf.length, 'trailing bytes after the last frame');
  return out;
}

function rawGet(path: string): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: d.socket, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('logs', () => {
  before(() => {
    ok(['run', '--name', 'talker', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; printf partial']);
  });

  it('keeps stdout and stderr apart', () => {
    const r = d.berth(['logs', 'talker']);
    assert.equal(r.stdout, 'out1\nout2\nout3\nout4\nout5\npartial');
    assert.equal(r.stderr, 'err1\nerr2\nerr3\nerr4\nerr5\n');
  });

  it('--tail gives the last lines of each stream', () => {
    // the last two records of the log, whichever streams they came from (the two pipes'
    // relative order is not defined): 'partial' is the very last one
    const r = d.berth(['logs', '--tail', '2', 'talker']);
    const records = [...r.stdout.split(/(?<=\n)/), ...r.stderr.split(/(?<=\n)/)].filter(Boolean);
    assert.equal(records.length, 2, JSON.stringify(records));
    assert.ok(r.stdout.endsWith('partial'), JSON.stringify(r.stdout));
    assert.equal(d.berth(['logs', '-n', '0', 'talker']).stdout, '');
  });

  it('-t prefixes RFC3339Nano timestamps', () => {
    const lines = d.berth(['logs', '-t', 'talker']).stdout.split('\n');
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z out1$/);
  });

  it('--since and --until select by time', () => {
    assert.equal(d.berth(['logs', '--since', '1h', 'talker']).stdout.split('\n')[0], 'out1');
    assert.equal(d.berth(['logs', '--until', '2000-01-01T00:00:00Z', 'talker']).stdout, '');
    assert.equal(d.berth(['logs', '--since', '2999-01-01', 'talker']).stdout, '');
    const bad = d.berth(['logs', '--since', 'yesterday', 'talker']);
    assert.equal(bad.code, 1);
  });

  it('-f follows until the container exits', async () => {
    ok(['run', '-d', '--name', 'slow', 'busybox', 'sh', '-c', 'echo first; sleep 1; echo second']);
    const r = await d.berthAsync(['logs', '-f', 'slow']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'first\nsecond\n');
  });

  it('uses the multiplexed framing over the API', async () => {
    const res = await rawGet('/v1.43/containers/talker/logs?stdout=1&stderr=1');
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/vnd.docker.multiplexed-stream');
    const f = frames(res.body);
    // stdout and stderr are separate pipes: their relative order is not defined, each stream's is
    assert.equal(f.filter(([s]) => s === 1).map(([, t]) => t).join(''), 'out1\nout2\nout3\nout4\nout5\npartial');
    assert.equal(f.filter(([s]) => s === 2).map(([, t]) => t).join(''), 'err1\nerr2\nerr3\nerr4\nerr5\n');
    const onlyErr = frames((await rawGet('/containers/talker/logs?stderr=1')).body);
    assert.ok(onlyErr.every(([s]) => s === 2));
    const none = await rawGet('/containers/talker/logs');
    assert.equal(none.status, 400);
    assert.match(none.body.toString(), /you must choose at least one stream/);
  });

  it('404 for an unknown container', async () => {
    const res = await rawGet('/containers/nope/logs?stdout=1');
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.body.toString()), { message: 'No such container: nope' });
  });
});

describe('attach (non-tty)', () => {
  it('streams a running container’s output, multiplexed, after a hijack', async () => {
    ok(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'sleep 0.5; echo one; echo two >&2; sleep 0.5']);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = http.request({
        socketPath: d.socket,
        method: 'POST',
        path: '/v1.43/containers/ticker/attach?stream=1&stdout=1&stderr=1',
        headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('upgrade', (res, socket, head) => {
        assert.equal(res.statusCode, 101);
        assert.equal(res.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
        const chunks: Buffer[] = [head];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject);
      req.end();
    });
    const f = frames(body);
    assert.deepEqual(f.filter(([s]) => s === 1), [[1, 'one\n']]);
    assert.deepEqual(f.filter(([s]) => s === 2), [[2, 'two\n']]);
  });

  it('start -a attaches before starting and returns the exit code', () => {
    ok(['create', '--name', 'later', 'busybox', 'sh', '-c', 'echo attached; exit 6']);
    const r = d.berth(['start', '-a', 'later']);
    assert.equal(r.code, 6);
    assert.equal(r.stdout, 'attached\n');
  });

  it('several clients attached at once all see the output', async () => {
    ok(['create', '--name', 'shared', 'busybox', 'sh', '-c', 'sleep 1; echo everyone']);
    const a = d.berthAsync(['start', '-a', 'shared']);
    await new Promise((r) => setTimeout(r, 300));
    const attach = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = http.request({ socketPath: d.socket, method: 'POST', path: '/containers/shared/attach?stream=1&stdout=1', headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
        req.on('upgrade', (_res, socket, head) => {
          const chunks: Buffer[] = [head];
          socket.on('data', (c: Buffer) => chunks.push(c));
          socket.on('end', () => resolve(frames(Buffer.concat(chunks)).map(([, t]) => t).join('')));
        });
        req.on('error', reject);
        req.end();
      });
    const [first, second] = await Promise.all([attach(), attach(), a]);
    assert.equal(first, 'everyone\n');
    assert.equal(second, 'everyone\n');
  });
});
