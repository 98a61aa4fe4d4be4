// The real docker CLI against berthd for what the daemon does on its own: `docker events` over a
// container's whole lifecycle with filters, restart policies and `docker update --restart`,
// healthchecks in `docker ps`, and `docker container prune`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerAgainst, dockerBin, dockerEnv } from '../helpers/docker-cli.ts';

let d: TestDaemon;

const docker = (args: string[], input?: string): RunResult => dockerAgainst(d, args, input);
const ok = (args: string[]) => {
  const r = docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}): ${r.stderr}`);
  return r.stdout;
};

async function until<T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (cond(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `docker events` running in the background until `stop()`; its lines so far. */
function watchEvents(args: string[]): { stop(): Promise<string> } {
  const p = spawn(dockerBin, ['events', ...args], { env: dockerEnv(d) });
  let out = '';
  p.stdout.on('data', (x: Buffer) => (out += x.toString()));
  const closed = new Promise<void>((r) => p.once('close', () => r()));
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 300));
      p.kill('SIGTERM');
      await closed;
      return out;
    },
  };
}

before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

describe('docker CLI: events, restart policies, healthchecks, prune', () => {
  it('docker events sees a full lifecycle, and only what its filters select', async () => {
    const all = watchEvents(['--filter', 'container=life', '--format', '{{.Type}} {{.Action}}']);
    const dies = watchEvents(['--filter', 'container=life', '--filter', 'event=die', '--format', '{{json .}}']);
    const images = watchEvents(['--filter', 'type=image', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    await new Promise((r) => setTimeout(r, 700));
    ok(['create', '--name', 'life', '--label', 'app=demo', 'busybox', 'sleep', '300']);
    ok(['start', 'life']);
    ok(['pause', 'life']);
    ok(['unpause', 'life']);
    ok(['exec', 'life', 'true']);
    ok(['rename', 'life', 'life2']);
    ok(['rename', 'life2', 'life']);
    ok(['kill', '-s', 'USR1', 'life']);
    ok(['update', '--restart', 'on-failure:2', 'life']);
    ok(['stop', '-t', '1', 'life']);
    ok(['start', 'life']);
    ok(['restart', '-t', '0', 'life']);
    ok(['rm', '-f', 'life']);
    ok(['tag', 'busybox', 'events-tag:1']);
    ok(['rmi', 'events-tag:1']);
    const lines = (await all.stop()).trim().split('\n');
    // network events name the network as their actor: a container filter leaves them out, as dockerd's
    assert.deepEqual(lines, [
      'container create',
      'container start',
      'container pause',
      'container unpause',
      'container exec_create: true ',
      'container exec_start: true ',
      'container exec_die',
      'container rename',
      'container rename',
      'container kill',
      'container update',
      'container kill',
      'container kill',
      'container die',
      'container stop',
      'container start',
      'container kill',
      'container kill',
      'container die',
      'container stop',
      'container start',
      'container restart',
      'container kill',
      'container die',
      'container destroy',
    ]);
    const died = (await dies.stop()).trim().split('\n').map((l) => JSON.parse(l) as { status: string; from: string; Actor: { Attributes: Record<string, string> } });
    assert.equal(died.length, 3);
    for (const e of died) {
      assert.equal(e.status, 'die');
      assert.equal(e.from, 'busybox');
      assert.equal(e.Actor.Attributes.app, 'demo');
      assert.equal(e.Actor.Attributes.exitCode, '137');
    }
    assert.deepEqual((await images.stop()).trim().split('\n').slice(-2), ['tag events-tag:1', `untag ${ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox']).trim()}`]);
  });

  it('restart policies: a crashing container restarts, docker ps says Restarting, docker update changes the policy', async () => {
    const r = docker(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /conflicting options: cannot specify both --restart and --rm/);
    ok(['run', '-d', '--name', 'crashy', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3; exit 4']);
    const status = await until('Restarting in docker ps', () => ok(['ps', '--filter', 'name=crashy', '--format', '{{.Status}}']).trim(), (s) => s.startsWith('Restarting'));
    assert.match(status, /^Restarting \(4\) (Less than a second|\d+ seconds?) ago$/);
    await until('two restarts', () => Number(ok(['inspect', '-f', '{{.RestartCount}}', 'crashy'])), (n) => n >= 2);
    assert.equal(ok(['update', '--restart', 'no', 'crashy']), 'crashy\n');
    await until('exited under the new policy', () => ok(['inspect', '-f', '{{.State.Status}} {{.HostConfig.RestartPolicy.Name}}', 'crashy']).trim(), (s) => s === 'exited no');
    const bad = docker(['update', '--restart', 'sometimes', 'crashy']);
    assert.notEqual(bad.code, 0);
    ok(['rm', 'crashy']);
  });

  it('healthchecks show in docker ps and docker inspect; the health filter selects', async () => {
    ok(['run', '-d', '--name', 'checked', '--health-cmd', 'test -e /tmp/up', '--health-interval', '300ms', '--health-retries', '1', 'busybox', 'sh', '-c', 'touch /tmp/up; exec sleep 300']);
    await until('healthy', () => ok(['ps', '--filter', 'name=checked', '--format', '{{.Status}}']).trim(), (s) => s.endsWith('(healthy)'));
    assert.equal(ok(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}']), 'checked\n');
    ok(['exec', 'checked', 'rm', '/tmp/up']);
    await until('unhealthy', () => ok(['inspect', '-f', '{{.State.Health.Status}}', 'checked']).trim(), (s) => s === 'unhealthy');
    const health = JSON.parse(ok(['inspect', '-f', '{{json .State.Health}}', 'checked'])) as { FailingStreak: number; Log: Array<{ ExitCode: number }> };
    assert.ok(health.FailingStreak >= 1);
    assert.equal(health.Log.at(-1)!.ExitCode, 1);
    assert.equal(ok(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}']), 'checked\n');
    ok(['rm', '-f', 'checked']);
  });

  it('docker container prune and docker wait', () => {
    const id = ok(['create', '--name', 'stale', 'busybox', 'true']).trim();
    ok(['run', '-d', '--name', 'alive', 'busybox', 'sleep', '300']);
    assert.equal(ok(['container', 'prune', '-f']), `Deleted Containers:\n${id}\n\nTotal reclaimed space: 0B\n`);
    assert.equal(ok(['ps', '-a', '--format', '{{.Names}}']), 'alive\n');
    ok(['kill', 'alive']);
    assert.equal(ok(['wait', 'alive']), '137\n');
    ok(['rm', 'alive']);
  });
});
