// Events through the berth CLI and the API against a real berthd: docker's line format, live
// streaming with filters, --since/--until (relative too), the journal across a berthd restart;
// and the housekeeping verbs: container prune, system prune, wait --condition.
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
const now = () => String(Date.now() / 1000);
const past = (since: string, ...more: string[]) => ok(['events', '--since', since, '--until', now(), ...more]);

describe('events', () => {
  it("prints docker's lines for a container's lifecycle, in order", () => {
    const since = now();
    const id = ok(['create', '--name', 'ev1', '--label', 'tier=web', 'busybox', 'sh', '-c', 'exit 2']).trim();
    ok(['start', 'ev1']);
    ok(['wait', 'ev1']);
    ok(['rm', 'ev1']);
    const lines = past(since, '--filter', 'type=container').trim().split('\n');
    const actions = lines.map((l) => l.split(' ')[2]);
    assert.deepEqual(actions, ['create', 'start', 'die', 'destroy']);
    assert.match(lines[0], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${id} \\(image=busybox, name=ev1, tier=web\\)$`));
    assert.match(lines[2], /container die [0-9a-f]{64} \(exitCode=2, image=busybox, name=ev1, tier=web\)$/);
  });

  it('streams live events through filters until --until, as JSON or a template', async () => {
    const until = String(Date.now() / 1000 + 6);
    const streaming = d.berthAsync(['events', '--until', until, '--filter', 'container=ev2', '--filter', 'event=start', '--filter', 'event=die', '--format', 'json']);
    const templated = d.berthAsync(['events', '--until', until, '--filter', 'type=volume', '--format', '{{.Type}}/{{.Action}}/{{.Actor.ID}}/{{.Actor.Attributes.driver}}']);
    await new Promise((r) => setTimeout(r, 1000));
    ok(['run', '--name', 'ev2', 'busybox', 'true']);
    ok(['run', '--name', 'ev3', 'busybox', 'true']);
    ok(['volume', 'create', 'evvol']);
    ok(['volume', 'rm', 'evvol']);
    const [json, tmpl] = await Promise.all([streaming, templated]);
    assert.equal(json.code, 0, json.stderr);
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { status: string; id: string; from: string; Type: string; Action: string; Actor: { Attributes: Record<string, string> }; scope: string; timeNano: number; time: number });
    assert.deepEqual(events.map((e) => e.Action), ['start', 'die']);
    for (const e of events) {
      assert.equal(e.Type, 'container');
      assert.equal(e.status, e.Action);
      assert.equal(e.from, 'busybox');
      assert.equal(e.scope, 'local');
      assert.equal(e.Actor.Attributes.name, 'ev2');
      assert.equal(Math.floor(e.timeNano / 1e9), e.time);
    }
    assert.equal(tmpl.stdout, 'volume/create/evvol/local\nvolume/destroy/evvol/local\n');
    ok(['rm', 'ev2', 'ev3']);
  });

  it('accepts relative times and refuses bad requests with dockerd’s messages', async () => {
    ok(['run', '--rm', '--name', 'ev4', 'busybox', 'true']);
    // relative times are whole seconds, as docker's: until now, plus one second
    const recent = ok(['events', '--since', '1m', '--until', '-1s', '--filter', 'container=ev4', '--format', '{{.Action}}']);
    assert.deepEqual(recent.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
    const backwards = await d.api('GET', '/events?since=200&until=100');
    assert.equal(backwards.status, 400);
    assert.match(backwards.body, /`since` time \(200\) cannot be after `until` time \(100\)/);
    const badFilter = await d.api('GET', `/events?until=1&filters=${encodeURIComponent('{"colour":["red"]}')}`);
    assert.equal(badFilter.status, 400);
    assert.match(badFilter.body, /invalid filter 'colour'/);
    const badFormat = d.berth(['events', '--since', '1s', '--until', '0s', '--format', '{{.Nope}}']);
    assert.notEqual(badFormat.code, 0);
  });

  it('keeps events across a berthd restart (the on-disk journal)', async () => {
    const since = now();
    ok(['volume', 'create', 'before-restart']);
    await d.stop('SIGTERM');
    await d.start();
    ok(['volume', 'rm', 'before-restart']);
    const seen = past(since, '--filter', 'volume=before-restart', '--format', '{{.Action}}');
    assert.deepEqual(seen.trim().split('\n'), ['create', 'destroy']);
  });
});

describe('housekeeping', () => {
  it('container prune removes the stopped containers the filters select, with docker’s summary', () => {
    ok(['run', '-d', '--name', 'keep-running', 'busybox', 'sleep', '300']);
    const a = ok(['create', '--name', 'prune-a', '--label', 'gone=yes', 'busybox', 'true']).trim();
    const b = ok(['create', '--name', 'prune-b', 'busybox', 'true']).trim();
    ok(['run', '--name', 'prune-c', '--label', 'gone=yes', 'busybox', 'true']);
    const c = ok(['inspect', '-f', '{{.Id}}', 'prune-c']).trim();
    const labelled = ok(['container', 'prune', '-f', '--filter', 'label=gone=yes']);
    assert.match(labelled, new RegExp(`^Deleted Containers:\\n(${a}\\n${c}|${c}\\n${a})\\n\\nTotal reclaimed space: `));
    const rest = ok(['container', 'prune', '--force', '--filter', 'until=1h']);
    assert.equal(rest, 'Total reclaimed space: 0B\n', 'created within the hour: kept');
    assert.equal(ok(['container', 'prune', '-f']), `Deleted Containers:\n${b}\n\nTotal reclaimed space: 0B\n`);
    assert.equal(ok(['ps', '-aq']).trim().split('\n').length, 1);
    const cancelled = d.berth(['container', 'prune'], { input: 'n\n' });
    assert.equal(cancelled.code, 1);
    assert.match(cancelled.stdout, /WARNING! This will remove all stopped containers\.\nAre you sure you want to continue\? \[y\/N\] $/);
    const bad = d.berth(['container', 'prune', '-f', '--filter', 'name=x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid filter 'name'/);
    ok(['rm', '-f', 'keep-running']);
  });

  it('system prune sweeps containers, networks, volumes and images with one summary', () => {
    ok(['create', '--name', 'sp-stopped', 'busybox', 'true']);
    ok(['network', 'create', 'sp-net']);
    ok(['run', '--name', 'sp-vol', '-v', '/data', 'busybox', 'true']);
    ok(['tag', 'busybox', 'sp-image:1']);
    const warn = d.berth(['system', 'prune', '--volumes'], { input: 'n\n' });
    assert.equal(warn.code, 1);
    assert.equal(
      warn.stdout,
      'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all anonymous volumes not used by at least one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to continue? [y/N] ',
    );
    assert.match(warn.stderr, /system prune has been cancelled/);
    const out = ok(['system', 'prune', '-f', '--volumes']);
    assert.match(out, /^Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nDeleted Networks:\nsp-net\n\nDeleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: \S+\n$/);
    assert.equal(ok(['ps', '-aq']), '');
    // -a: images no container uses go too
    const all = ok(['system', 'prune', '-a', '-f']);
    assert.match(all, /^Deleted Images:\n(untagged: .*\n)*untagged: sp-image:1\n/);
    assert.match(all, /Total reclaimed space: /);
    const refused = d.berth(['system', 'prune', '-f', '--volumes', '--filter', 'until=1h']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /The "until" filter is not supported with "--volumes"/);
    assert.equal(d.berth(['pull', 'busybox']).code, 0);
  });

  it('wait --condition next-exit and removed', async () => {
    ok(['run', '-d', '--name', 'waited', 'busybox', 'sleep', '300']);
    const nextExit = d.berthAsync(['wait', '--condition', 'next-exit', 'waited']);
    const removed = d.berthAsync(['wait', '--condition', 'removed', 'waited']);
    await new Promise((r) => setTimeout(r, 500));
    ok(['kill', 'waited']);
    assert.equal((await nextExit).stdout, '137\n');
    assert.equal(ok(['wait', '--condition', 'not-running', 'waited']), '137\n');
    ok(['rm', 'waited']);
    assert.equal((await removed).stdout, '137\n');
    const bad = d.berth(['wait', '--condition', 'sometime', 'x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid condition: "sometime"/);
  });
});
