// The same containers under berthd and a reference dockerd 20.10: their json-file lines must be
// the same bytes (times aside), stream by stream; so must what `logs` and `logs --details` print,
// the rotated files' names and the gzip header of a compressed one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { startRefDockerd, type RefDockerd } from '../transfer/ref-dockerd.ts';

let d: TestDaemon;
let ref: RefDockerd;
before(async () => {
  d = await startDaemon();
  ref = await startRefDockerd();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
  const save = spawnSync('sh', ['-c', `${process.execPath} ${join(repoRoot, 'dist', 'berth.mjs')} save busybox`], { env: { ...process.env, BERTH_HOST: d.host }, maxBuffer: 64 << 20 });
  assert.equal(save.status, 0, save.stderr?.toString());
  const load = ref.docker(['load'], { input: save.stdout });
  assert.equal(load.code, 0, load.stderr);
});
after(async () => {
  await d?.cleanup();
  await ref?.stop();
});

interface Side {
  run(args: string[]): string;
  logs(args: string[]): { stdout: string; stderr: string; code: number };
  dir(id: string): string;
}

const berth: Side = {
  run: (args) => d.berthOk(args).trim(),
  logs: (args) => d.berth(['logs', ...args]),
  dir: (id) => join(d.dataRoot, 'containers', id),
};
const dockerd: Side = {
  run: (args) => {
    const r = ref.docker(args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  },
  logs: (args) => ref.docker(['logs', ...args]),
  dir: (id) => join(ref.base, 'data', 'containers', id),
};

/** Each stream's json-file lines, times replaced. */
function linesByStream(side: Side, id: string): Record<string, string[]> {
  const out: Record<string, string[]> = { stdout: [], stderr: [] };
  for (const line of readFileSync(join(side.dir(id), `${id}-json.log`), 'utf8').split('\n').filter(Boolean)) {
    const stream = (JSON.parse(line) as { stream: string }).stream;
    out[stream].push(line.replace(/"time":"[^"]+"/, '"time":T'));
  }
  return out;
}

function both<T>(fn: (side: Side) => T): [T, T] {
  return [fn(berth), fn(dockerd)];
}

describe('json-file against dockerd 20.10', () => {
  const scripts: Record<string, string> = {
    escapes: 'printf "a\\tb\\"c\\\\\\\\d<e>&f\\r\\n"; printf "\\001\\033[31mred\\n"; printf "\\377\\376 bad \\342\\200\\250 \\342\\200\\251 x\\n"; printf "caf\\303\\251 \\357\\277\\275 \\360\\237\\230\\200\\n"; echo; echo " spaces "',
    streams: 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; printf "err-no-newline" >&2',
    pieces: 'printf "part"; sleep 0.3; echo " end"; head -c 40000 /dev/zero | tr "\\0" x; echo; head -c 16384 /dev/zero | tr "\\0" y; echo; head -c 16383 /dev/zero | tr "\\0" z; echo; head -c 20000 /dev/zero | tr "\\0" w',
  };
  for (const [name, script] of Object.entries(scripts)) {
    it(`${name}: the same lines, byte for byte`, () => {
      const [b, r] = both((side) => {
        const id = side.run(['run', '-d', 'busybox', 'sh', '-c', script]);
        side.run(['wait', id]);
        return { id, lines: linesByStream(side, id), logs: side.logs([id]) };
      });
      assert.deepEqual(b.lines, r.lines);
      assert.equal(b.logs.stdout, r.logs.stdout);
      assert.equal(b.logs.stderr, r.logs.stderr);
    });
  }

  it('a tty container: the same lines', () => {
    const [b, r] = both((side) => {
      const id = side.run(['run', '-d', '-t', 'busybox', 'sh', '-c', 'echo tty1; echo tty2 >&2; printf "x\\ry\\n"; printf nonl']);
      side.run(['wait', id]);
      return linesByStream(side, id);
    });
    assert.deepEqual(b, r);
  });

  it('attrs and --details from labels, env and a tag', () => {
    const opts = ['--log-opt', 'labels=a,b', '--log-opt', 'env=FOO', '--log-opt', 'env-regex=^X', '--log-opt', 'tag={{.ImageName}}/{{.DaemonName}}', '-l', 'a=1', '-l', 'b=two words&<x>', '-e', 'FOO=f\to', '-e', 'XYZ=q'];
    const [b, r] = both((side) => {
      const id = side.run(['run', '-d', ...opts, 'busybox', 'echo', 'hi']);
      side.run(['wait', id]);
      return { lines: linesByStream(side, id), details: side.logs(['--details', id]).stdout };
    });
    assert.deepEqual(b.lines, r.lines);
    assert.equal(b.details, r.details);
  });

  it('rotation: the same files, and a compressed one’s header says when its last entry was written', () => {
    const opts = ['--log-opt', 'max-size=1k', '--log-opt', 'max-file=3', '--log-opt', 'compress=true'];
    const [b, r] = both((side) => {
      const id = side.run(['run', '-d', ...opts, 'busybox', 'sh', '-c', 'for i in $(seq 1 100); do echo line$i; done']);
      side.run(['wait', id]);
      const files = readdirSync(side.dir(id)).filter((f) => f.startsWith(id)).map((f) => f.slice(id.length));
      const gz = readFileSync(join(side.dir(id), `${id}-json.log.1.gz`));
      const header = [...gz.subarray(0, 4), gz[9]];
      const extra = JSON.parse(gz.toString('utf8', 12, 12 + gz.readUInt16LE(10))) as Record<string, string>;
      // where the files were cut depends on the lengths of the times: what is kept is a run of
      // the last lines, whatever its first
      const logs = side.logs([id]).stdout.trim().split('\n');
      const first = Number(logs[0].slice(4));
      assert.deepEqual(logs, Array.from({ length: 101 - first }, (_, i) => `line${first + i}`));
      return { files: files.sort(), header, extraKeys: Object.keys(extra), tail: side.logs(['--tail', '5', id]).stdout };
    });
    assert.deepEqual(b, r);
  });

  it('none: the same refusal', () => {
    const [b, r] = both((side) => {
      const id = side.run(['run', '-d', '--log-driver', 'none', 'busybox', 'echo', 'x']);
      side.run(['wait', id]);
      const res = side.logs([id]);
      return { code: res.code, message: res.stderr.trim() };
    });
    assert.deepEqual(b, r);
  });
});
