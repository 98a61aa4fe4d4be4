// Container statistics from a real berthd: GET /containers/{id}/stats in dockerd's shape, and
// `berth stats` with the figures right — a container burning one CPU shows about 100 %, one
// holding 100 MiB about 100 MiB, a 10 MB download between two containers on the bridge shows in
// NET I/O — its formats, and a live table redrawn in place on a terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { spawnPty } from '../../helpers/pty.ts';

const MiB = 1024 * 1024;
let d: TestDaemon;
let burner: string;
let holder: string;

before(async () => {
  d = await startDaemon();
  d.berthOk(['pull', 'busybox']);
  // A top-level cgroup with the most CPU weight there is: other work on this shared machine must
  // not keep the busy loop from a whole CPU (runc removes the cgroup with the container).
  burner = d.berthOk(['run', '-d', '--name', 'burner', '--cgroup-parent', '/', '-c', '262144', 'busybox', 'sh', '-c', 'while :; do :; done']).trim();
  holder = d.berthOk(['run', '-d', '--name', 'holder', '--shm-size', '200m', 'busybox', 'sh', '-c', 'head -c 100m /dev/zero > /dev/shm/fill && sleep 1000']).trim();
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A docker size string ("100.3MiB", "10.5MB", "0B") in bytes. */
function bytes(text: string): number {
  const m = /^([\d.]+)([kKMGT]?i?B)$/.exec(text.trim());
  assert.ok(m, `not a size: ${text}`);
  const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: MiB, GiB: 1024 * MiB }[m[2]] ?? NaN;
  return Number(m[1]) * unit;
}

/** Readings until one satisfies `good` (at most `tries`): other work on this machine can hold a figure down for a moment. */
async function reading(args: string[], good: (s: string) => boolean, tries = 5): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < tries; i++) {
    const s = ok(['stats', '--no-stream', ...args]).trim();
    seen.push(s);
    if (good(s)) break;
    await sleep(300);
  }
  return seen;
}

describe('berth stats figures', () => {
  it('a container burning one CPU shows 90–110 % (what it really got, on a busy machine)', async (t) => {
    // The figure must match what the container got (its cgroup's CPU time over the wall time of
    // the same reading) and, the loop having the CPU weight to take a whole CPU, show about 100 %.
    // A reading may still come in a moment the machine was busier: readings are taken until one
    // shows a whole CPU, and every one must agree with the cgroup's own count.
    const usage = () => Number(readFileSync(`/sys/fs/cgroup/cpuacct/${burner}/cpuacct.usage`, 'utf8'));
    const seen: string[] = [];
    let whole = false;
    for (let i = 0; i < 10 && !whole; i++) {
      const [u0, t0] = [usage(), process.hrtime.bigint()];
      const shown = Number(ok(['stats', '--no-stream', '--format', '{{.CPUPerc}}', 'burner']).trim().replace('%', ''));
      const got = ((usage() - u0) / Number(process.hrtime.bigint() - t0)) * 100;
      seen.push(`${shown}% (cgroup: ${got.toFixed(1)}%)`);
      assert.ok(shown <= 110, `above one CPU: ${seen.join(', ')}`);
      assert.ok(Math.abs(shown - got) <= 20, `the figure disagrees with the cgroup: ${seen.join(', ')}`);
      whole = shown >= 90;
    }
    assert.ok(whole, `never a whole CPU: ${seen.join(', ')}`);
    t.diagnostic(`CPU %: ${seen.join(', ')}`);
  });

  it('a container holding 100 MiB shows about 100 MiB', async (t) => {
    const inRange = (s: string) => {
      const used = bytes(s.split(' / ')[0]);
      return used >= 100 * MiB && used <= 110 * MiB;
    };
    const seen = await reading(['--format', '{{.MemUsage}}', 'holder'], inRange, 50);
    assert.ok(seen.some(inRange), `MEM USAGE: ${seen.at(-1)}`);
    t.diagnostic(`MEM USAGE / LIMIT: ${seen.at(-1)}`);
    assert.match(seen.at(-1)!, / \/ [\d.]+GiB$/, 'no limit: the machine’s memory');
  });

  it('a 10 MB download through the bridge shows in NET I/O', async (t) => {
    const server = ok(['run', '-d', 'busybox', 'sh', '-c', 'mkdir /www && head -c 10000000 /dev/urandom > /www/f && httpd -f -p 80 -h /www']).trim();
    const ip = ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', server]).trim();
    const client = ok(['run', '-d', 'busybox', 'sh', '-c', `until wget -q -O /dev/null http://${ip}/f; do sleep 0.2; done; echo done; sleep 1000`]).trim();
    try {
      for (let i = 0; i < 100 && !d.berth(['logs', client]).stdout.includes('done'); i++) await sleep(100);
      const netIO = ok(['stats', '--no-stream', '--format', '{{.NetIO}}', client]).trim();
      t.diagnostic(`NET I/O of the downloader: ${netIO}`);
      const [rx, tx] = netIO.split(' / ').map(bytes);
      assert.ok(rx >= 10e6 && rx < 11e6, `received ${rx}`);
      assert.ok(tx > 0 && tx < 1e6, `sent ${tx}`);
      const [srx, stx] = ok(['stats', '--no-stream', '--format', '{{.NetIO}}', server]).trim().split(' / ').map(bytes);
      assert.ok(stx >= 10e6 && srx < 1e6, `server sent ${stx}, received ${srx}`);
    } finally {
      ok(['rm', '-f', server, client]);
    }
  });
});

describe('berth stats output', () => {
  it("docker's table, --no-trunc, json and templates; -a adds stopped containers with zeros", () => {
    const table = ok(['stats', '--no-stream', 'burner', 'holder']);
    const lines = table.trimEnd().split('\n');
    assert.match(lines[0], /^CONTAINER ID +NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET I\/O +BLOCK I\/O +PIDS$/);
    assert.match(lines[1], new RegExp(`^${burner.slice(0, 12)} +burner +[\\d.]+% +[\\d.]+[KMG]?i?B / [\\d.]+GiB +[\\d.]+% +[\\d.]+[kMG]?B / [\\d.]+[kMG]?B +[\\d.]+[kMG]?B / [\\d.]+[kMG]?B +1$`));
    assert.equal(lines.length, 3);
    assert.match(ok(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}', 'burner']), new RegExp(`^${burner}\\n$`));
    const json = JSON.parse(ok(['stats', '--no-stream', '--format', 'json', 'holder'])) as Record<string, string>;
    assert.deepEqual(Object.keys(json), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
    assert.deepEqual([json.Container, json.Name, json.ID], ['holder', 'holder', holder.slice(0, 12)]);
    assert.equal(ok(['stats', '--no-stream', '--format', 'table {{.Name}}\t{{.PIDs}}', 'holder']).replace(/ +/g, ' '), 'NAME PIDS\nholder 1\n');
    const stopped = ok(['create', '--name', 'idle', 'busybox', 'true']).trim();
    const all = ok(['stats', '--no-stream', '-a', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}']);
    assert.match(all, /^idle 0\.00% 0B \/ 0B 0$/m);
    assert.match(all, /^burner /m);
    assert.doesNotMatch(ok(['stats', '--no-stream', '--format', '{{.Name}}']), /idle/);
    ok(['rm', stopped]);
    const missing = d.berth(['stats', '--no-stream', 'nosuch']);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Error response from daemon: No such container: nosuch\n']);
  });

  it('streams, redrawing the table in place on a terminal', async () => {
    const p = spawnPty(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'stats', 'burner'], { env: { ...process.env, BERTH_HOST: d.host } });
    try {
      // three draws: each goes back to the top-left, erases each line's rest and what is below
      await p.waitFor(/(\x1b\[HCONTAINER ID[^]*?\x1b\[J){3}/, 10_000);
      const draw = /\x1b\[H([^]*?)\x1b\[J/.exec(p.output())![1];
      assert.match(draw, /^CONTAINER ID +NAME .*\x1b\[K\r?\n[0-9a-f]{12} +burner +[\d.]+% .*\x1b\[K\r?\n$/);
      assert.ok(p.output().startsWith('\x1b[2J'), 'the screen is cleared first');
    } finally {
      p.kill();
      await p.exited;
    }
    // not a terminal: plain tables one after the other, until stopped
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'stats', 'burner'], { env: { ...process.env, BERTH_HOST: d.host } });
    let out = '';
    child.stdout.on('data', (x: Buffer) => (out += x.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      for (let i = 0; i < 100 && (out.match(/CONTAINER ID/g) ?? []).length < 3; i++) await sleep(100);
      assert.equal(child.exitCode, null, 'a stream keeps going');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.ok((out.match(/CONTAINER ID/g) ?? []).length >= 3, out);
    assert.doesNotMatch(out, /\x1b/);
  });
});

describe('GET /containers/{id}/stats', () => {
  it("answers dockerd's JSON: two readings, per-CPU times, v1 memory keys, networks, pids", async () => {
    const r = await d.api('GET', `/containers/${burner}/stats?stream=false`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const s = JSON.parse(r.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(s.id, burner);
    assert.equal(s.name, '/burner');
    assert.notEqual(s.preread, '0001-01-01T00:00:00Z');
    assert.ok(Date.parse(s.read) - Date.parse(s.preread) >= 250);
    assert.equal(s.cpu_stats.cpu_usage.percpu_usage.length, s.cpu_stats.online_cpus);
    assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage);
    assert.ok('total_inactive_file' in s.memory_stats.stats && 'hierarchical_memory_limit' in s.memory_stats.stats);
    assert.deepEqual(Object.keys(s.networks), ['eth0']);
    assert.deepEqual(s.pids_stats, { current: 1 });
    assert.ok(Array.isArray(s.blkio_stats.io_service_bytes_recursive));
  });

  it('one-shot answers with one reading; a stopped container with zeros; stream=1 with one-shot is refused', async () => {
    const one = JSON.parse((await d.api('GET', `/containers/${burner}/stats?stream=false&one-shot=true`)).body) as { preread: string; cpu_stats: { cpu_usage: { total_usage: number } } };
    assert.equal(one.preread, '0001-01-01T00:00:00Z');
    assert.ok(one.cpu_stats.cpu_usage.total_usage > 0);
    const bad = await d.api('GET', `/containers/${burner}/stats?stream=true&one-shot=true`);
    assert.deepEqual([bad.status, JSON.parse(bad.body)], [400, { message: 'cannot have stream=true and one-shot=true' }]);
    const idle = ok(['create', 'busybox', 'true']).trim();
    const zero = JSON.parse((await d.api('GET', `/containers/${idle}/stats?stream=false`)).body) as { read: string; memory_stats: object; id: string };
    assert.deepEqual([zero.read, zero.memory_stats, zero.id], ['0001-01-01T00:00:00Z', {}, idle]);
    assert.equal((await d.api('GET', '/containers/nosuch/stats?stream=false')).status, 404);
    ok(['rm', idle]);
  });
});
