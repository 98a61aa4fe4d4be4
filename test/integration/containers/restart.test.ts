// Restart policies with real containers: crash loops under each policy (restarts counted, the
// backoff steps measured from the starts the container itself records), berthd killed in the
// middle of a backoff, and a machine "reboot": berthd stopped, every container's processes killed
// by pid, berthd started again.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let shared: string;

before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
  shared = join(d.base, 'shared');
  mkdirSync(shared);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const inspect = (ref: string, format: string) => ok(['inspect', '-f', format, ref]).trim();

/** Polls until `cond` holds (no timing is asserted: the deadline only ends a hung test). */
async function until<T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (cond(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A container that appends its start time to a file (the host's uptime, in 10 ms steps: busybox's
 * date has no sub-second format), then exits with `code` after `run` seconds.
 */
function crasher(name: string, policy: string, code: number, run = '0') {
  const file = join(shared, name);
  const id = ok(['run', '-d', '--name', name, '--restart', policy, '-v', `${shared}:/shared`, 'busybox', 'sh', '-c', `cut -d' ' -f1 /proc/uptime >> /shared/${name}; sleep ${run}; exit ${code}`]).trim();
  const starts = () => {
    try {
      return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => Math.round(Number(l) * 1000));
    } catch {
      return [];
    }
  };
  return { id, starts };
}

describe('restart policies (real containers)', () => {
  it('always: a crash loop restarts with the backoff doubling from 100 ms, counted in RestartCount', async () => {
    const c = crasher('loop-always', 'always', 1);
    const starts = await until('5 starts', c.starts, (s) => s.length >= 5);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    process.stdout.write(`# always: gaps between starts ${gaps.join(', ')} ms\n`);
    // each gap holds the backoff at least (100, 200, 400, 800 ms), plus the exit and the start
    gaps.slice(0, 4).forEach((g, i) => assert.ok(g >= 100 * 2 ** i - 10, `gap ${i + 1} is ${g} ms, under the ${100 * 2 ** i} ms backoff`));
    const count = Number(inspect('loop-always', '{{.RestartCount}}'));
    assert.ok(count >= 4, `RestartCount ${count}`);
    // between two runs the container is restarting, and ps says so
    const seen = await until('the restarting state', () => ok(['ps', '-a', '--filter', 'name=loop-always', '--format', '{{.Status}}|{{.State}}']).trim(), (s) => s.endsWith('|restarting'));
    assert.match(seen, /^Restarting \(1\) (Less than a second|\d+ seconds?) ago\|restarting$/);
    // a stop ends it for good: stopped, not restarted
    ok(['stop', '-t', '1', 'loop-always']);
    assert.equal(inspect('loop-always', '{{.State.Status}} {{.State.Restarting}}'), 'exited false');
    const n = c.starts().length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(c.starts().length, n, 'no start after the stop');
    assert.equal(inspect('loop-always', '{{.State.Status}}'), 'exited');
  });

  it('on-failure:2 restarts a failing container twice, then leaves it exited', async () => {
    const c = crasher('loop-onfailure', 'on-failure:2', 3);
    await until('exited after the retries', () => inspect('loop-onfailure', '{{.State.Status}} {{.RestartCount}}'), (s) => s === 'exited 2');
    assert.equal(c.starts().length, 3);
    assert.equal(inspect('loop-onfailure', '{{.State.ExitCode}}'), '3');
  });

  it('on-failure does not restart a clean exit; no restarts nothing; unless-stopped restarts both', async () => {
    const clean = crasher('clean-onfailure', 'on-failure', 0);
    const no = crasher('crash-no', 'no', 1);
    const unless = crasher('clean-unless', 'unless-stopped', 0);
    await until('unless-stopped restarted twice', unless.starts, (s) => s.length >= 3);
    await until('the others exited', () => [inspect('clean-onfailure', '{{.State.Status}}'), inspect('crash-no', '{{.State.Status}}')], (s) => s.every((x) => x === 'exited'));
    assert.equal(clean.starts().length, 1);
    assert.equal(no.starts().length, 1);
    assert.equal(inspect('crash-no', '{{.RestartCount}}'), '0');
    ok(['rm', '-f', 'clean-unless']);
  });

  it('a restarted container keeps its address and reaches its gateway; a stop while restarting leaves no veth', async () => {
    const script = 'if [ -f /crashed ]; then exec sleep 1000; fi; touch /crashed; sleep 0.5; exit 1';
    ok(['run', '-d', '--name', 'net-restart', '--restart', 'always', 'busybox', 'sh', '-c', script]);
    const ip = inspect('net-restart', '{{.NetworkSettings.IPAddress}}');
    assert.match(ip, /^10\.213\.\d+\.\d+$/);
    await until('restarted once', () => inspect('net-restart', '{{.RestartCount}} {{.State.Status}}'), (s) => s === '1 running');
    assert.equal(inspect('net-restart', '{{.NetworkSettings.IPAddress}}'), ip);
    const gateway = inspect('net-restart', '{{.NetworkSettings.Gateway}}');
    ok(['exec', 'net-restart', 'ping', '-c', '1', '-W', '2', gateway]);
    ok(['rm', '-f', 'net-restart']);
    // a crash loop stopped while it waits for a restart: its kept sandbox goes with it
    ok(['run', '-d', '--name', 'net-loop', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']);
    await until('restarting', () => inspect('net-loop', '{{.State.Status}}'), (s) => s === 'restarting');
    ok(['stop', 'net-loop']);
    assert.equal(inspect('net-loop', '{{.State.Status}} {{.NetworkSettings.IPAddress}}'), 'exited');
    ok(['rm', 'net-loop']);
    const ports = spawnSync('ip', ['-j', 'link', 'show', 'master', d.bridge], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(ports.stdout || '[]'), []);
  });

  it('--rm with a restart policy is refused', () => {
    const r = d.berth(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /conflicting options: cannot specify both --restart and --rm/);
    const api = d.berth(['create', '--restart', 'bogus', 'busybox', 'true']);
    assert.equal(api.code, 125);
    assert.match(api.stderr, /invalid restart policy/);
  });

  it('update --restart changes the policy of a running container', async () => {
    const c = crasher('updated', 'no', 1, '2');
    assert.equal(ok(['update', '--restart', 'on-failure:1', 'updated']), 'updated\n');
    assert.equal(inspect('updated', '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}'), 'on-failure:1');
    await until('one restart under the new policy, then exited', () => inspect('updated', '{{.State.Status}} {{.RestartCount}}'), (s) => s === 'exited 1');
    assert.equal(c.starts().length, 2);
    const r = d.berth(['update', 'updated']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /you must provide one or more flags when using this command/);
    const missing = d.berth(['update', '--restart', 'always', 'no-such-container']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: no-such-container/);
  });
});

describe('restart policies across berthd restarts', () => {
  it('berthd SIGKILLed while a restart waits: the container is started when berthd is back', async () => {
    const c = crasher('mid-backoff', 'always', 1, '0');
    // let the backoff grow to seconds, then kill berthd while the container waits
    await until('6 starts', c.starts, (s) => s.length >= 6);
    await until('restarting', () => inspect('mid-backoff', '{{.State.Status}}'), (s) => s === 'restarting');
    const before = c.starts().length;
    await d.stop('SIGKILL');
    await d.start();
    await until('started again after berthd came back', c.starts, (s) => s.length > before);
    ok(['rm', '-f', 'mid-backoff']);
  });

  it('a simulated reboot: always and unless-stopped come back, no and a stopped unless-stopped stay down', async () => {
    const sleeper = (name: string, policy: string) => idsByName.set(name, ok(['run', '-d', '--name', name, '--restart', policy, 'busybox', 'sleep', '1000']).trim());
    sleeper('boot-always', 'always');
    sleeper('boot-unless', 'unless-stopped');
    sleeper('boot-onfailure', 'on-failure');
    sleeper('boot-no', 'no');
    sleeper('boot-unless-stopped', 'unless-stopped');
    sleeper('boot-always-stopped', 'always');
    ok(['stop', '-t', '0', 'boot-unless-stopped']);
    ok(['stop', '-t', '0', 'boot-always-stopped']);
    const names = ['boot-always', 'boot-unless', 'boot-onfailure', 'boot-no'];
    const pids = names.map((n) => Number(inspect(n, '{{.State.Pid}}')));
    assert.ok(pids.every((p) => p > 1));
    assert.equal(await d.stop('SIGTERM'), 0);
    // the machine goes down: every container process dies (conmon records each exit)
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    await until('conmon recorded the exits', () => names.map((n) => readExit(n)), (codes) => codes.every((x) => x === '137'));
    await d.start();
    const status = (n: string) => inspect(n, '{{.State.Status}}');
    await until('always and unless-stopped running', () => ['boot-always', 'boot-unless'].map(status), (s) => s.every((x) => x === 'running'));
    // dockerd restarts on-failure containers too: their processes died with 137
    await until('on-failure running', () => status('boot-onfailure'), (s) => s === 'running');
    // `always` comes back at a daemon start even after a stop; unless-stopped does not
    await until('the stopped always running', () => status('boot-always-stopped'), (s) => s === 'running');
    assert.equal(status('boot-no'), 'exited');
    assert.equal(inspect('boot-no', '{{.State.ExitCode}}'), '137');
    assert.equal(status('boot-unless-stopped'), 'exited');
    for (const n of [...names, 'boot-unless-stopped', 'boot-always-stopped']) ok(['rm', '-f', n]);
  });
});

/** The exit code conmon recorded for a container (while berthd is down). */
function readExit(name: string): string {
  const id = idsByName.get(name) ?? '';
  try {
    return readFileSync(join(d.execRoot, 'exits', id), 'utf8').trim();
  } catch {
    return '';
  }
}
const idsByName = new Map<string, string>();
