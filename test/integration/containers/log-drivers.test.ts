// Log drivers with real containers: json-file as dockerd writes it, rotation and compression under
// a fast writer, following across rotations, local, syslog to local sockets (and its cache),
// none, --details, and the option errors dockerd gives.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
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
const containerDir = (id: string) => join(d.dataRoot, 'containers', id);
/** The json-file lines with their times replaced, so that they compare. */
const jsonLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z"/, '"time":T'));

/** Runs a shell pipeline with BERTH_HOST set (for outputs too large for spawnSync's buffers). */
function shell(cmd: string): string {
  const r = spawnSync('sh', ['-c', cmd], { env: { ...process.env, BERTH_HOST: d.host, BERTH: `${process.execPath} ${join(repoRoot, 'dist', 'berth.mjs')}` }, encoding: 'utf8', maxBuffer: 16 << 20 });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('json-file', () => {
  it('writes dockerd’s lines: one per line, escapes, stderr, partial pieces at 16 KiB, output without a newline', () => {
    const id = ok([
      'run', '-d', 'busybox', 'sh', '-c',
      'echo hello; printf "part"; sleep 0.3; echo " end"; printf "a\\tb\\"c\\\\\\\\d<e>&f\\r\\n"; printf "\\001\\033[31mred\\n"; printf "caf\\303\\251 \\342\\200\\250\\n"; echo; ' +
        'head -c 40000 /dev/zero | tr "\\0" x; echo; head -c 16384 /dev/zero | tr "\\0" y; echo; echo err >&2; printf "tail-no-newline"',
    ]);
    ok(['wait', id]);
    const logPath = ok(['inspect', '-f', '{{.LogPath}}', id]);
    assert.equal(logPath, join(containerDir(id), `${id}-json.log`));
    assert.equal((statSync(logPath).mode & 0o777).toString(8), '640');
    const lines = jsonLines(logPath);
    const out = lines.filter((l) => l.includes('"stream":"stdout"'));
    const x = (n: number) => 'x'.repeat(n);
    assert.deepEqual(out, [
      '{"log":"hello\\n","stream":"stdout","time":T}',
      '{"log":"part end\\n","stream":"stdout","time":T}',
      '{"log":"a\\u0009b\\"c\\\\d\\u003ce\\u003e\\u0026f\\r\\n","stream":"stdout","time":T}',
      '{"log":"\\u0001\\u001b[31mred\\n","stream":"stdout","time":T}',
      '{"log":"café \\u2028\\n","stream":"stdout","time":T}',
      '{"log":"\\n","stream":"stdout","time":T}',
      `{"log":"${x(16384)}","stream":"stdout","time":T}`,
      `{"log":"${x(16384)}","stream":"stdout","time":T}`,
      `{"log":"${x(40000 - 2 * 16384)}\\n","stream":"stdout","time":T}`,
      `{"log":"${'y'.repeat(16384)}","stream":"stdout","time":T}`,
      '{"log":"\\n","stream":"stdout","time":T}',
      '{"log":"tail-no-newline","stream":"stdout","time":T}',
    ]);
    assert.deepEqual(lines.filter((l) => l.includes('"stream":"stderr"')), ['{"log":"err\\n","stream":"stderr","time":T}']);
    // the pieces of a long line carry the time of the first
    const raw = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.includes('xxxx'));
    assert.equal(new Set(raw.map((l) => (JSON.parse(l) as { time: string }).time)).size, 1);
    // and `logs` gives the bytes back
    const r = d.berth(['logs', id]);
    const expected = `hello\npart end\na\tb"c\\d<e>&f\r\n\x01\x1b[31mred\ncafé \u2028\n\n${x(40000)}\n${'y'.repeat(16384)}\ntail-no-newline`;
    assert.ok(r.stdout === expected, `logs gave back ${JSON.stringify(r.stdout.slice(0, 120))}… (${r.stdout.length} bytes, expected ${expected.length})`);
    assert.equal(r.stderr, 'err\n');
  });

  it('a tty container’s lines end in \\r\\n, all on stdout', () => {
    const id = ok(['run', '-d', '-t', 'busybox', 'sh', '-c', 'echo tty1; echo tty2 >&2; printf "x\\ry\\n"']);
    ok(['wait', id]);
    assert.deepEqual(jsonLines(join(containerDir(id), `${id}-json.log`)), [
      '{"log":"tty1\\r\\n","stream":"stdout","time":T}',
      '{"log":"tty2\\r\\n","stream":"stdout","time":T}',
      '{"log":"x\\ry\\r\\n","stream":"stdout","time":T}',
    ]);
  });

  it('rotates under a container writing 50 MB fast, compressed, losing no line; logs reads them all back', async () => {
    const lines = 500_000;
    const pad = 'p'.repeat(94);
    // 500,000 numbered lines of 101 bytes: 50.5 MB of output, ~85 MB of JSON in 5 MB files
    // it waits a moment, so that a follower is there before the first line
    const id = ok(['run', '-d', '--name', 'fast', '--log-opt', 'max-size=5m', '--log-opt', 'max-file=30', '--log-opt', 'compress=true', 'busybox', 'sh', '-c', `sleep 1; seq -w 1 ${lines} | sed 's/$/ ${pad}/'`]);
    const follower = d.berthAsync(['logs', '-f', 'fast']);
    assert.equal(ok(['wait', 'fast']), '0');
    const files = readdirSync(containerDir(id)).filter((f) => f.startsWith(`${id}-json.log`)).sort();
    const gz = files.filter((f) => f.endsWith('.gz'));
    assert.ok(gz.length >= 10 && files.length <= 30, `rotated files: ${files.join(' ')}`);
    for (const f of files) assert.ok(statSync(join(containerDir(id), f)).size < 5_000_000 + 20_000 || f.endsWith('.gz'), `${f} over max-size`);
    assert.match(gunzipSync(readFileSync(join(containerDir(id), gz[0]))).toString().split('\n')[0], /^\{"log":"\d{6} p+\\n","stream":"stdout","time":"/);
    const expected = createHash('md5');
    for (let i = 1; i <= lines; i++) expected.update(`${String(i).padStart(6, '0')} ${pad}\n`);
    const digest = expected.digest('hex');
    assert.equal(shell(`$BERTH logs fast | wc -l`), String(lines));
    assert.equal(shell(`$BERTH logs fast | md5sum | cut -d' ' -f1`), digest, 'every line, in order');
    assert.equal(shell(`$BERTH logs --tail 3 fast`), [lines - 2, lines - 1, lines].map((i) => `${String(i).padStart(6, '0')} ${pad}`).join('\n'));
    // a follower attached before the start read every line too, across each rotation
    const f = await follower;
    assert.equal(f.code, 0, f.stderr);
    assert.equal(createHash('md5').update(f.stdout).digest('hex'), digest);
  });

  it('max-file 1 keeps one file, truncated as dockerd does', () => {
    const id = ok(['run', '-d', '--log-opt', 'max-size=10k', 'busybox', 'sh', '-c', 'seq 1 5000']);
    ok(['wait', id]);
    assert.deepEqual(readdirSync(containerDir(id)).filter((f) => f.includes('json.log')), [`${id}-json.log`]);
    assert.ok(statSync(join(containerDir(id), `${id}-json.log`)).size < 10_100);
    assert.equal(d.berth(['logs', id]).stdout.split('\n').filter(Boolean).at(-1), '5000');
  });

  it('--details prefixes the attributes of labels, env and tag, url-encoded and sorted', () => {
    const id = ok(['run', '-d', '--log-opt', 'labels=a,b', '--log-opt', 'env=FOO,BAR', '--log-opt', 'env-regex=^X', '--log-opt', 'tag={{.Name}}/{{.ID}}', '-l', 'a=1', '-l', 'b=two words&', '-e', 'FOO=foo', '-e', 'XYZ=q', '--name', 'detailed', 'busybox', 'echo', 'hi']);
    ok(['wait', id]);
    assert.deepEqual(jsonLines(join(containerDir(id), `${id}-json.log`)), [`{"log":"hi\\n","stream":"stdout","attrs":{"FOO":"foo","XYZ":"q","a":"1","b":"two words\\u0026","tag":"detailed/${id.slice(0, 12)}"},"time":T}`]);
    assert.equal(d.berth(['logs', '--details', id]).stdout, `FOO=foo,XYZ=q,a=1,b=two+words%26,tag=detailed%2F${id.slice(0, 12)} hi\n`);
    assert.match(d.berth(['logs', '--details', '-t', id]).stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z FOO=foo,/);
    const plain = ok(['run', '-d', 'busybox', 'echo', 'x']);
    ok(['wait', plain]);
    assert.equal(d.berth(['logs', '--details', plain]).stdout, ' x\n');
  });

  it('checks option names at create and values at start, with dockerd’s messages', () => {
    const create = (opts: string[]) => d.berth(['create', ...opts, 'busybox', 'true']);
    assert.match(create(['--log-opt', 'foo=bar']).stderr, /unknown log opt 'foo' for json-file log driver/);
    assert.match(create(['--log-driver', 'foo']).stderr, /error looking up logging plugin foo: plugin "foo" not found/);
    assert.match(create(['--log-driver', 'local', '--log-opt', 'tag=x']).stderr, /unknown log opt 'tag' for log driver local/);
    assert.match(create(['--log-driver', 'none', '--log-opt', 'a=b']).stderr, /invalid logging opts for driver none/);
    assert.match(create(['--log-opt', 'cache-disabled=maybe']).stderr, /invalid value for option cache-disabled: maybe/);
    for (const [opt, message] of [
      ['max-size=abc', "invalid size: 'abc'"],
      ['max-file=0', 'max-file cannot be less than 1'],
      ['max-file=x', 'strconv.Atoi: parsing "x": invalid syntax'],
      ['compress=true', 'compress cannot be true when max-file is less than 2 or max-size is not set'],
    ]) {
      const id = ok(['create', '--log-opt', opt, 'busybox', 'true']);
      const r = d.berth(['start', id]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`failed to initialize logging driver: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id]), 'created 128');
    }
  });
});

describe('none and local', () => {
  it('none keeps nothing: logs fails as dockerd’s does (501), attach still streams', async () => {
    const id = ok(['create', '--log-driver', 'none', 'busybox', 'sh', '-c', 'echo x; echo y']);
    // attached before the start: it sees every byte, from conmon's attach socket
    assert.equal(d.berth(['start', '-a', id]).stdout, 'x\ny\n');
    const r = d.berth(['logs', id]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configured logging driver does not support reading/);
    const res = await d.api('GET', `/containers/${id}/logs?stdout=1`);
    assert.equal(res.status, 501);
    assert.equal(ok(['inspect', '-f', '{{.LogPath}}|{{.HostConfig.LogConfig.Type}}', id]), '|none');
  });

  it('local writes framed protobuf entries under local-logs/ and reads them back, rotated', () => {
    const id = ok(['run', '-d', '--log-driver', 'local', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=3', '--log-opt', 'compress=false', 'busybox', 'sh', '-c', 'for i in $(seq 1 100); do echo line$i; done']);
    ok(['wait', id]);
    const dir = join(containerDir(id), 'local-logs');
    assert.deepEqual(readdirSync(dir).sort(), ['container.log', 'container.log.1', 'container.log.2']);
    // dockerd's frame: size, LogEntry{source, time_nano, line}, size
    const file = readFileSync(join(dir, 'container.log.1'));
    const size = file.readUInt32BE(0);
    assert.equal(file.readUInt32BE(4 + size), size);
    assert.equal(file.subarray(4, 12).toString('latin1'), '\x0a\x06stdout');
    assert.equal(d.berth(['logs', '--tail', '2', id]).stdout, 'line99\nline100\n');
    assert.equal(ok(['inspect', '-f', '{{.LogPath}}|', id]), '|');
  });
});

describe('syslog', () => {
  /** A syslog server on a unix stream socket, collecting what it receives. */
  function server(path: string): { received: () => string; close: () => void } {
    let data = '';
    const srv = net.createServer((c) => c.on('data', (b: Buffer) => (data += b.toString())));
    srv.listen(path);
    return { received: () => data, close: () => srv.close() };
  }

  it('sends one message per line in each format, to a unix socket; logs reads the local cache', async () => {
    const sock = join(d.base, 'syslog.sock');
    const s = server(sock);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const a = ok(['run', '-d', '--name', 'sl-default', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sock}`, 'busybox', 'sh', '-c', 'echo one; echo two >&2; printf nonl']);
      const b = ok(['run', '-d', '--name', 'sl-5424', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sock}`, '--log-opt', 'syslog-format=rfc5424', '--log-opt', 'syslog-facility=local3', '--log-opt', 'tag={{.Name}}', 'busybox', 'echo', 'five']);
      const c = ok(['run', '-d', '--name', 'sl-3164', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sock}`, '--log-opt', 'syslog-format=rfc3164', 'busybox', 'echo', 'three']);
      for (const id of [a, b, c]) ok(['wait', id]);
      await new Promise((r) => setTimeout(r, 200));
      const pid = d.process.pid;
      const host = readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
      const got = s.received().split('\n');
      const stamp = '[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d';
      assert.ok(got.some((l) => new RegExp(`^<30>${stamp} ${a.slice(0, 12)}\\[${pid}\\]: one$`).test(l)), s.received());
      assert.ok(got.some((l) => new RegExp(`^<27>${stamp} ${a.slice(0, 12)}\\[${pid}\\]: two$`).test(l)));
      assert.ok(got.some((l) => new RegExp(`^<30>${stamp} ${a.slice(0, 12)}\\[${pid}\\]: nonl$`).test(l)));
      assert.ok(got.some((l) => new RegExp(`^<158>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) ${host} sl-5424 ${pid} sl-5424 - five$`).test(l)), s.received());
      assert.ok(got.some((l) => new RegExp(`^<30>${stamp} ${host} ${c.slice(0, 12)}\\[${pid}\\]: three$`).test(l)));
      // dockerd's dual logging: a local cache beside the container
      assert.ok(existsSync(join(containerDir(a), 'container-cached.log')));
      const r = d.berth(['logs', a]);
      assert.equal(r.stdout, 'one\nnonl');
      assert.equal(r.stderr, 'two\n');
      const noCache = ok(['run', '-d', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sock}`, '--log-opt', 'cache-disabled=true', 'busybox', 'true']);
      ok(['wait', noCache]);
      assert.match(d.berth(['logs', noCache]).stderr, /configured logging driver does not support reading/);
    } finally {
      s.close();
    }
  });

  it('sends datagrams to a unixgram socket', async () => {
    const sock = join(d.base, 'syslog-dgram.sock');
    // Node cannot bind unix datagram sockets: a small python receiver
    const py = spawn('python3', ['-c', `import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('ready',flush=True)\nwhile True:\n  d=s.recv(65536)\n  sys.stdout.write('['+d.decode()+']')\n  sys.stdout.flush()`, sock]);
    let out = '';
    py.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 20));
      const id = ok(['run', '-d', '--log-driver', 'syslog', '--log-opt', `syslog-address=unixgram://${sock}`, '--log-opt', 'syslog-facility=user', 'busybox', 'sh', '-c', 'echo one; echo two']);
      ok(['wait', id]);
      for (let i = 0; i < 50 && !out.includes('two'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.match(out, new RegExp(`\\[<14>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${id.slice(0, 12)}\\[\\d+\\]: one\\n\\]\\[<14>.*: two\\n\\]`));
    } finally {
      py.kill();
    }
  });

  it('an address that cannot be used fails the create or the start, as dockerd', () => {
    assert.match(d.berth(['create', '--log-driver', 'syslog', '--log-opt', 'syslog-address=unix:///nonexistent.sock', 'busybox', 'true']).stderr, /stat \/nonexistent.sock: no such file or directory/);
    assert.match(d.berth(['create', '--log-driver', 'syslog', '--log-opt', 'syslog-address=bogus://x', 'busybox', 'true']).stderr, /syslog-address should be in form proto:\/\/address, got bogus:\/\/x/);
    assert.match(d.berth(['create', '--log-driver', 'syslog', '--log-opt', 'syslog-facility=nope', 'busybox', 'true']).stderr, /invalid syslog facility/);
    assert.match(d.berth(['create', '--log-driver', 'syslog', '--log-opt', 'syslog-format=nope', 'busybox', 'true']).stderr, /Invalid syslog format/);
    const r = d.berth(['run', '--rm', '--log-driver', 'syslog', '--log-opt', 'syslog-address=tcp://127.0.0.1:1', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /failed to initialize logging driver: .*ECONNREFUSED/);
  });
});
