// Logs and the daemon's life: a berthd restart in the middle of a fast writer loses and repeats
// nothing, output written just before an exit while berthd is down is kept, daemon.json's
// log-driver/log-opts apply, and logs in the format of containers made before the drivers are
// read and converted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const ok = (args: string[]) => d.berthOk(args).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seqDigest = (n: number) => {
  const h = createHash('md5');
  for (let i = 1; i <= n; i++) h.update(`${i}\n`);
  return h.digest('hex');
};
function shell(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { env: { ...process.env, BERTH_HOST: d.host, BERTH: `${process.execPath} ${join(repoRoot, 'dist', 'berth.mjs')}` }, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('logs across berthd restarts', () => {
  it('a restart in the middle of a fast writer: every line once, in order (the pipe waits for the new berthd)', async () => {
    const lines = 3_000_000;
    ok(['run', '-d', '--name', 'writer', 'busybox', 'sh', '-c', `sleep 1; seq 1 ${lines}`]);
    await sleep(1500);
    assert.equal(await d.stop('SIGTERM'), 0);
    // the container fills the pipe and waits meanwhile
    await sleep(1000);
    await d.start();
    assert.equal(ok(['wait', 'writer']), '0');
    assert.equal(shell('$BERTH logs writer | wc -l'), String(lines));
    assert.equal(shell(`$BERTH logs writer | md5sum | cut -d' ' -f1`), seqDigest(lines));
  });

  it('output written just before an exit while berthd is down is kept', async () => {
    // 20,000 lines fit in the pipe: the container exits while berthd is away
    ok(['run', '-d', '--name', 'last-words', 'busybox', 'sh', '-c', 'sleep 1.5; seq 1 20000; printf unfinished']);
    assert.equal(await d.stop('SIGTERM'), 0);
    await sleep(3000);
    await d.start();
    assert.match(ok(['ps', '-a', '--filter', 'name=last-words', '--format', '{{.Status}}']), /^Exited \(0\)/);
    const out = d.berth(['logs', 'last-words']).stdout;
    assert.equal(out.split('\n').length, 20001);
    assert.ok(out.startsWith('1\n2\n3\n') && out.endsWith('19999\n20000\nunfinished'), out.slice(-40));
    assert.ok(!existsSync(join(d.execRoot, 'output-holder.json')), 'the holder of the pipes is gone once they are read');
  });
});

describe('logs in the old format', () => {
  it('a stopped container’s k8s-file log is read as it is, then converted to <id>-json.log when it starts', async () => {
    const id = ok(['run', '-d', 'busybox', 'sh', '-c', 'echo again']);
    ok(['wait', id]);
    const dir = join(d.dataRoot, 'containers', id);
    // what a berthd before the log drivers left: conmon's k8s-file at <id>.log
    assert.equal(await d.stop('SIGTERM'), 0);
    const config = JSON.parse(readFileSync(join(dir, 'config.v2.json'), 'utf8')) as { LogPath: string };
    rmSync(config.LogPath);
    config.LogPath = join(dir, `${id}.log`);
    writeFileSync(join(dir, 'config.v2.json'), JSON.stringify(config));
    writeFileSync(config.LogPath, '2024-01-02T03:04:05.000000001+00:00 stdout F old one\n2024-01-02T03:04:05.000000002+00:00 stderr F old err\n2024-01-02T03:04:05.000000003+00:00 stdout P old pa\n2024-01-02T03:04:06.000000004+00:00 stdout F rt\n');
    await d.start();
    let r = d.berth(['logs', '-t', id]);
    assert.equal(r.stdout, '2024-01-02T03:04:05.000000001Z old one\n2024-01-02T03:04:06.000000004Z old part\n');
    assert.equal(r.stderr, '2024-01-02T03:04:05.000000002Z old err\n');
    ok(['start', id]);
    ok(['wait', id]);
    assert.equal(ok(['inspect', '-f', '{{.LogPath}}', id]), join(dir, `${id}-json.log`));
    assert.ok(!existsSync(join(dir, `${id}.log`)));
    assert.match(readFileSync(join(dir, `${id}-json.log`), 'utf8'), /^\{"log":"old one\\n","stream":"stdout","time":"2024-01-02T03:04:05.000000001Z"\}\n/);
    r = d.berth(['logs', id]);
    assert.equal(r.stdout, 'old one\nold part\nagain\n');
  });

  it('k8s-file (Berth’s own driver): conmon writes its format itself; logs and logs -f read it', async () => {
    const id = ok(['run', '-d', '--log-driver', 'k8s-file', 'busybox', 'sh', '-c', 'echo one; sleep 1; echo two']);
    assert.equal(ok(['inspect', '-f', '{{.LogPath}}', id]), join(d.dataRoot, 'containers', id, `${id}.log`));
    const r = await d.berthAsync(['logs', '-f', id]);
    assert.equal(r.stdout, 'one\ntwo\n');
    assert.match(readFileSync(join(d.dataRoot, 'containers', id, `${id}.log`), 'utf8'), /^\S+ stdout F one\n\S+ stdout F two\n$/);
    assert.match(d.berth(['create', '--log-driver', 'k8s-file', '--log-opt', 'max-file=2', 'busybox', 'true']).stderr, /unknown log opt 'max-file' for k8s-file log driver/);
  });
});

describe('daemon.json log-driver and log-opts', () => {
  it('are the defaults of new containers; the daemon’s opts apply only to its own driver', async () => {
    const other = await startDaemon({ config: { 'log-driver': 'local', 'log-opts': { 'max-size': '1m', 'max-file': '2', 'cache-disabled': 'false' } } });
    try {
      assert.equal(other.berth(['pull', 'busybox']).code, 0);
      const a = other.berthOk(['run', '-d', 'busybox', 'echo', 'hi']).trim();
      other.berthOk(['wait', a]);
      assert.equal(other.berthOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', a]).trim(), '{"Type":"local","Config":{"cache-disabled":"false","max-file":"2","max-size":"1m"}}');
      assert.ok(existsSync(join(other.dataRoot, 'containers', a, 'local-logs', 'container.log')));
      assert.equal(other.berth(['logs', a]).stdout, 'hi\n');
      const b = other.berthOk(['create', '--log-driver', 'json-file', 'busybox', 'true']).trim();
      // the cache options go with every driver, the others only with the daemon's
      assert.equal(other.berthOk(['inspect', '-f', '{{json .HostConfig.LogConfig}}', b]).trim(), '{"Type":"json-file","Config":{"cache-disabled":"false"}}');
      const info = other.berthOk(['info', '--format', '{{.LoggingDriver}}']).trim();
      assert.equal(info, 'local');
    } finally {
      await other.cleanup();
    }
  });

  it('an invalid default stops berthd at start, before it makes anything', () => {
    const base = mkdtempSync('/tmp/berth-badlog-');
    try {
      writeFileSync(join(base, 'daemon.json'), JSON.stringify({ 'log-opts': { foo: 'bar' } }));
      const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'berthd.mjs'), '--data-root', join(base, 'data'), '--exec-root', join(base, 'exec'), '-H', `unix://${join(base, 'b.sock')}`, '--config-file', join(base, 'daemon.json'), '--bridge', 'none'], { encoding: 'utf8', timeout: 30_000 });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /failed to set log opts: unknown log opt 'foo' for json-file log driver/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
