// Healthchecks with real containers: starting → healthy → unhealthy with a probe that times out
// (and is killed), ps and its health filter, health_status events, the image's HEALTHCHECK, and
// the health state across a berthd restart.
import assert from 'node:assert/strict';
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

async function until<T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (cond(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Health {
  Status: string;
  FailingStreak: number;
  Log: Array<{ ExitCode: number; Output: string; Start: string; End: string }>;
}
const health = (name: string): Health => JSON.parse(ok(['inspect', '-f', '{{json .State.Health}}', name])) as Health;

describe('healthchecks (real containers)', () => {
  it('goes starting → healthy → unhealthy when the probe hangs past its timeout, and back', async () => {
    const since = String(Date.now() / 1000);
    ok([
      'run', '-d', '--name', 'hc',
      '--health-cmd', 'test -f /tmp/ok || exec sleep 30',
      '--health-interval', '300ms', '--health-timeout', '1s', '--health-retries', '2',
      'busybox', 'sh', '-c', 'touch /tmp/ok; exec sleep 1000',
    ]);
    assert.match(ok(['ps', '--filter', 'name=hc', '--format', '{{.Status}}']), /^Up .*\((health: starting|healthy)\)\n$/);
    await until('healthy', () => health('hc').Status, (s) => s === 'healthy');
    assert.equal(ok(['ps', '-q', '--filter', 'health=healthy']).trim().length, 12);
    assert.equal(ok(['ps', '-q', '--filter', 'health=unhealthy']), '');
    ok(['exec', 'hc', 'rm', '/tmp/ok']);
    const h = await until('unhealthy', () => health('hc'), (x) => x.Status === 'unhealthy');
    assert.ok(h.FailingStreak >= 2);
    const last = h.Log.at(-1)!;
    assert.equal(last.ExitCode, -1);
    assert.equal(last.Output, 'Health check exceeded timeout (1s)');
    assert.ok(h.Log.length <= 5);
    assert.match(ok(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}} {{.Status}}']), /^hc Up .* \(unhealthy\)\n$/);
    ok(['exec', 'hc', 'touch', '/tmp/ok']);
    await until('healthy again', () => health('hc').Status, (s) => s === 'healthy');
    // the timed-out probes' processes were killed: no sleep 30 left behind
    assert.doesNotMatch(ok(['top', 'hc']), /sleep 30/);
    const events = ok(['events', '--since', since, '--until', String(Date.now() / 1000), '--filter', 'container=hc', '--filter', 'event=health_status', '--format', '{{.Action}}']);
    assert.deepEqual(events.trim().split('\n'), ['health_status: healthy', 'health_status: unhealthy', 'health_status: healthy']);
  });

  it("the image's HEALTHCHECK applies; --no-healthcheck removes it; bad options are refused", async () => {
    ok(['run', '-d', '--name', 'hc-base', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '1000']);
    ok(['commit', 'hc-base', 'healthy-image:1']);
    ok(['run', '-d', '--name', 'hc-image', 'healthy-image:1']);
    await until('healthy from the image', () => health('hc-image').Status, (s) => s === 'healthy');
    ok(['run', '-d', '--name', 'hc-none', '--no-healthcheck', 'healthy-image:1']);
    assert.equal(ok(['inspect', '-f', '{{json .Config.Healthcheck.Test}}', 'hc-none']), '["NONE"]\n');
    assert.equal('Health' in JSON.parse(ok(['inspect', '-f', '{{json .State}}', 'hc-none'])), false);
    assert.match(ok(['ps', '--filter', 'name=hc-none', '--format', '{{.Status}}']), /^Up [^(]*$/);
    assert.equal(ok(['ps', '-q', '--filter', 'health=none', '--filter', 'name=hc-none']).trim().length, 12);
    const conflict = d.berth(['run', '--no-healthcheck', '--health-cmd', 'true', 'busybox', 'true']);
    assert.equal(conflict.code, 125);
    assert.match(conflict.stderr, /--no-healthcheck conflicts with --health-\* options/);
    // refused by the daemon: `create` exits 1 as docker's does
    const bad = d.berth(['create', '--health-cmd', 'true', '--health-interval', '1us', 'busybox', 'true']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Interval in Healthcheck cannot be less than 1ms/);
    const filter = d.berth(['ps', '--filter', 'health=sick']);
    assert.notEqual(filter.code, 0);
    assert.match(filter.stderr, /Unrecognised filter value for health: sick/);
    for (const n of ['hc-base', 'hc-image', 'hc-none']) ok(['rm', '-f', n]);
  });

  it('keeps the health state across a berthd restart and goes on probing', async () => {
    const before = health('hc');
    assert.equal(before.Status, 'healthy');
    await d.stop('SIGTERM');
    await d.start();
    const afterRestart = health('hc');
    assert.equal(afterRestart.Status, 'healthy', JSON.stringify(afterRestart));
    assert.ok(afterRestart.Log.some((l) => before.Log.some((b) => b.Start === l.Start)), 'the log from before the restart is kept');
    ok(['exec', 'hc', 'rm', '/tmp/ok']);
    await until('unhealthy after the restart', () => health('hc').Status, (s) => s === 'unhealthy');
    ok(['rm', '-f', 'hc']);
  });
});
