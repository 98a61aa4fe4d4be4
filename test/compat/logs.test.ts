// `docker logs` and `docker-compose logs` (the real clients) against berthd: the options, the
// log drivers chosen on the command line or in a compose file, and their errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst, dockerEnv } from '../helpers/docker-cli.ts';

let d: TestDaemon;
const docker = (args: string[]): RunResult => dockerAgainst(d, args);
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};

before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

describe('docker logs against berthd', () => {
  it('--tail, -t, --since, --until, --details and -f', () => {
    const id = ok(['run', '-d', '--name', 'talker', '--log-opt', 'labels=role', '-l', 'role=db', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; sleep 1; echo last']).trim();
    // -f: follows until the container exits
    const followed = docker(['logs', '-f', id]);
    assert.equal(followed.stdout, 'out1\nout2\nout3\nlast\n');
    assert.equal(followed.stderr, 'err1\nerr2\nerr3\n');
    const tail = docker(['logs', '--tail', '1', 'talker']);
    assert.equal(tail.stdout + tail.stderr, 'last\n');
    assert.match(ok(['logs', '-t', '--tail', '1', 'talker']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z last\n$/);
    assert.equal(ok(['logs', '--since', '2999-01-01T00:00:00Z', 'talker']), '');
    assert.equal(ok(['logs', '--until', '2000-01-01T00:00:00Z', 'talker']), '');
    assert.equal(ok(['logs', '--since', '1h', 'talker']), 'out1\nout2\nout3\nlast\n');
    assert.equal(ok(['logs', '--details', '--tail', '1', 'talker']), 'role=db last\n');
  });

  it('run --log-driver/--log-opt, seen by inspect; none refuses logs as dockerd does', () => {
    const id = ok(['run', '-d', '--log-driver', 'json-file', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2', 'busybox', 'echo', 'hi']).trim();
    assert.equal(ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', id]), '{"Type":"json-file","Config":{"max-file":"2","max-size":"1k"}}\n');
    assert.match(ok(['inspect', '-f', '{{.LogPath}}', id]), new RegExp(`/containers/${id}/${id}-json\\.log\\n$`));
    const none = ok(['run', '-d', '--log-driver', 'none', 'busybox', 'echo', 'x']).trim();
    ok(['wait', none]);
    const r = docker(['logs', none]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: configured logging driver does not support reading\n');
    const bad = docker(['run', '--rm', '--log-opt', 'max-size=abc', 'busybox', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Error response from daemon: failed to initialize logging driver: invalid size: 'abc'/);
    assert.match(docker(['create', '--log-driver', 'nosuch', 'busybox', 'true']).stderr, /error looking up logging plugin nosuch: plugin "nosuch" not found/);
  });
  it('syslog: logs reads its local cache; with cache-disabled=true it refuses as dockerd does', async () => {
    const sock = join(d.base, 'compat-syslog.sock');
    let received = '';
    const srv = net.createServer((c) => c.on('data', (b: Buffer) => (received += b.toString())));
    await new Promise<void>((resolve) => srv.listen(sock, resolve));
    try {
      const cached = ok(['run', '-d', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sock}`, 'busybox', 'sh', '-c', 'echo to-syslog; echo err >&2']).trim();
      const uncached = ok(['run', '-d', '--log-driver', 'syslog', '--log-opt', `syslog-address=unix://${sock}`, '--log-opt', 'cache-disabled=true', 'busybox', 'echo', 'gone']).trim();
      ok(['wait', cached]);
      ok(['wait', uncached]);
      const r = docker(['logs', cached]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'to-syslog\n');
      assert.equal(r.stderr, 'err\n');
      const refused = docker(['logs', '--tail', '5', uncached]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, 'Error response from daemon: configured logging driver does not support reading\n');
      // the lines went to the server all the same
      for (let i = 0; i < 50 && !received.includes('gone'); i++) await new Promise((res) => setTimeout(res, 20));
      assert.match(received, new RegExp(`${uncached.slice(0, 12)}\\[\\d+\\]: gone\\n`));
      assert.match(received, /: to-syslog\n/);
    } finally {
      srv.close();
    }
  });
});

describe('docker-compose logs against berthd', () => {
  it('prints each service’s output; the logging section of the file sets the driver', () => {
    const dir = join(d.base, 'compose-logs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      [
        'version: "3.7"',
        'services:',
        '  web:',
        '    image: busybox',
        '    network_mode: none',
        "    command: sh -c 'echo web one; sleep 0.5; echo web two'",
        '  db:',
        '    image: busybox',
        '    network_mode: none',
        "    command: sh -c 'echo db ready'",
        '    logging:',
        '      driver: local',
        '      options:',
        '        max-size: 1m',
        '',
      ].join('\n'),
    );
    const compose = (args: string[]) => spawnSync('docker-compose', ['-p', 'logt', ...args], { cwd: dir, env: dockerEnv(d), encoding: 'utf8', timeout: 120_000 });
    try {
      const up = compose(['up', '-d']);
      assert.equal(up.status, 0, up.stderr);
      // -f ends when the containers have exited
      const followed = compose(['logs', '-f', '--no-color']);
      assert.equal(followed.status, 0, followed.stderr);
      assert.match(followed.stdout, /^web_1 +\| web one$/m);
      assert.match(followed.stdout, /^web_1 +\| web two$/m);
      assert.match(followed.stdout, /^db_1 +\| db ready$/m);
      const tail = compose(['logs', '--no-color', '-t', '--tail', '1', 'web']);
      assert.match(tail.stdout, /^web_1 +\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z web two$/m);
      assert.equal(ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'logt_db_1']), '{"Type":"local","Config":{"max-size":"1m"}}\n');
    } finally {
      compose(['down']);
    }
  });
});
