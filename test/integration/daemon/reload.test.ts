// SIGHUP: daemon.json's reloadable keys applied while berthd runs, a `reload` event, an invalid
// file refused with the reason in the log; info reporting what is in force; live-restore false
// stopping the containers at shutdown (their restart policies bring them back).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon({ config: { labels: ['before=1'] } });
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const info = () => JSON.parse(ok(['info', '--format', '{{json .}}'])) as Record<string, unknown> & { RegistryConfig: { Mirrors: string[]; IndexConfigs: Record<string, unknown> } };

async function until<T>(what: string, get: () => T, cond: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (cond(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const writeConfig = (text: string) => writeFileSync(join(d.base, 'daemon.json'), text);

describe('daemon reload (SIGHUP)', () => {
  it('applies the reloadable keys and emits reload with the settings in force', async () => {
    const since = String(Date.now() / 1000);
    const before = info();
    assert.deepEqual(before.Labels, ['before=1']);
    assert.equal(before.Debug, false);
    writeConfig(
      JSON.stringify({
        labels: ['tier=edge', 'zone=a'],
        debug: true,
        'registry-mirrors': ['https://mirror.invalid'],
        'insecure-registries': ['registry.invalid:5000'],
        'max-concurrent-downloads': 7,
        'max-concurrent-uploads': 2,
        'shutdown-timeout': 4,
      }),
    );
    process.kill(d.process.pid!, 'SIGHUP');
    const after = await until('the new labels', info, (i) => JSON.stringify(i.Labels) === '["tier=edge","zone=a"]');
    assert.equal(after.Debug, true);
    assert.deepEqual(after.RegistryConfig.Mirrors, ['https://mirror.invalid']);
    assert.ok('registry.invalid:5000' in after.RegistryConfig.IndexConfigs);
    const events = ok(['events', '--since', since, '--until', String(Date.now() / 1000 + 1), '--filter', 'type=daemon', '--format', '{{json .}}']);
    const reload = JSON.parse(events.trim().split('\n').at(-1)!) as { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } };
    assert.equal(reload.Type, 'daemon');
    assert.equal(reload.Action, 'reload');
    assert.equal(reload.Actor.ID, after.ID);
    assert.equal(reload.Actor.Attributes.debug, 'true');
    assert.equal(reload.Actor.Attributes.labels, '["tier=edge","zone=a"]');
    assert.equal(reload.Actor.Attributes['max-concurrent-downloads'], '7');
    assert.equal(reload.Actor.Attributes['max-concurrent-uploads'], '2');
    assert.equal(reload.Actor.Attributes['shutdown-timeout'], '4');
    assert.equal(reload.Actor.Attributes.name, after.Name);
    await until('the reload in the log', () => d.logs(), (l) => /Reloaded configuration/.test(l));
  });

  it('an invalid file changes nothing, and the log says why', async () => {
    const before = info();
    writeConfig('{"labels": ["broken"');
    process.kill(d.process.pid!, 'SIGHUP');
    await until('the error in the log', () => d.logs(), (l) => /Error reconfiguring the daemon: unable to configure the Berth daemon with file .*daemon\.json/.test(l));
    assert.deepEqual(info().Labels, before.Labels);
    writeConfig(JSON.stringify({ labels: ['x=1'], 'no-such-key': true }));
    process.kill(d.process.pid!, 'SIGHUP');
    await until('the unknown key in the log', () => d.logs(), (l) => /Error reconfiguring the daemon: the following directives don't match any configuration option: no-such-key/.test(l));
    writeConfig(JSON.stringify({ 'max-concurrent-downloads': -1 }));
    process.kill(d.process.pid!, 'SIGHUP');
    await until('the bad value in the log', () => d.logs(), (l) => /Error reconfiguring the daemon: invalid max concurrent downloads: -1/.test(l));
    assert.deepEqual(info().Labels, before.Labels);
    assert.equal(info().Debug, true);
  });

  it('info tells the truth about the machine and the daemon', () => {
    const i = info();
    assert.equal(i.Driver, 'overlay2');
    assert.equal(i.DockerRootDir, d.dataRoot);
    assert.ok(Number(i.NCPU) >= 1 && Number(i.MemTotal) > 0);
    assert.match(String(i.CgroupVersion), /^[12]$/);
    assert.equal(i.CgroupDriver, 'cgroupfs');
    const driverStatus = Object.fromEntries(i.DriverStatus as Array<[string, string]>);
    assert.doesNotMatch(driverStatus['Backing Filesystem'], /unknown/);
    ok(['run', '-d', '--name', 'info-running', 'busybox', 'sleep', '100']);
    ok(['create', '--name', 'info-created', 'busybox', 'true']);
    const counts = info();
    assert.equal(counts.ContainersRunning, 1);
    assert.equal(counts.ContainersStopped, 1);
    assert.equal(counts.Containers, 2);
    assert.ok(Array.isArray(counts.Warnings));
    ok(['rm', '-f', 'info-running', 'info-created']);
  });

  it('live-restore false: shutdown stops the containers; their policies bring them back', async () => {
    writeConfig(JSON.stringify({ 'live-restore': false, 'shutdown-timeout': 20 }));
    process.kill(d.process.pid!, 'SIGHUP');
    await until('live restore off', info, (i) => i.LiveRestoreEnabled === false);
    ok(['run', '-d', '--name', 'lr-always', '--restart', 'always', '--stop-timeout', '1', 'busybox', 'sleep', '1000']);
    ok(['run', '-d', '--name', 'lr-plain', '--stop-timeout', '1', 'busybox', 'sleep', '1000']);
    const pids = ['lr-always', 'lr-plain'].map((n) => Number(ok(['inspect', '-f', '{{.State.Pid}}', n])));
    assert.equal(await d.stop('SIGTERM'), 0);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), 'the container was stopped with berthd');
    await d.start();
    await until('always back', () => ok(['inspect', '-f', '{{.State.Status}}', 'lr-always']).trim(), (s) => s === 'running');
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'lr-plain']), 'exited 137\n');
    ok(['rm', '-f', 'lr-always', 'lr-plain']);
  });
});
