// Container lifecycle through the berth CLI against a real berthd: runc under conmon, overlay2.
import assert from 'node:assert/strict';
import { readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxRootfsTar, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon();
  const r = d.berth(['pull', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  busyboxRootfsTar(d.base);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[], input?: string) => d.berthOk(args, input);

describe('run', () => {
  it('runs a command in the foreground and prints its output', () => {
    assert.equal(ok(['run', '--rm', 'busybox', 'echo', 'hello from berth']), 'hello from berth\n');
  });

  it("returns the container's exit code", () => {
    assert.equal(d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']).code, 3);
    // a process killed by a signal: 128 + the signal (pid 1 ignores SIGKILL sent from inside)
    assert.equal(d.berth(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'kill -9 $$']).code, 137);
  });

  it('keeps stdout and stderr apart', () => {
    const r = d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('delivers all the output written just before the container exits', () => {
    // conmon sends the last packets and hangs up at once: every one of them must still arrive
    const script = 'i=0; while [ $i -lt 20 ]; do echo o$i; echo e$i >&2; i=$((i+1)); done';
    const want = (p: string) => Array.from({ length: 20 }, (_, i) => `${p}${i}\n`).join('');
    for (let n = 0; n < 5; n++) {
      const r = d.berth(['run', '--rm', 'busybox', 'sh', '-c', script]);
      assert.equal(r.stdout, want('o'));
      assert.equal(r.stderr, want('e'));
    }
  });

  it('exits 127 for a missing command, and the container stays inspectable', () => {
    const r = d.berth(['run', '--name', 'nocmd', 'busybox', 'no-such-command']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /executable file not found in \$PATH/);
    assert.match(r.stderr, /Run 'berth run --help' for more information/);
    const state = ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'nocmd']);
    assert.equal(state, 'created 127\n');
    assert.match(ok(['inspect', '-f', '{{.State.Error}}', 'nocmd']), /executable file not found/);
  });

  it('exits 126 for a command that cannot be executed', () => {
    const r = d.berth(['run', '--rm', 'busybox', '/etc/passwd']);
    assert.equal(r.code, 126);
    assert.match(r.stderr, /permission denied/);
  });

  it('exits 125 when the daemon refuses the container', () => {
    ok(['create', '--name', 'taken', 'busybox', 'true']);
    const r = d.berth(['run', '--name', 'taken', 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Conflict\. The container name "\/taken" is already in use by container "[0-9a-f]{64}"/);
    const bad = d.berth(['run', '--rm', 'busybox:nope', 'true']);
    assert.equal(bad.code, 125);
  });

  it('-d prints the full id and leaves the container running', () => {
    const id = ok(['run', '-d', '--name', 'bg', 'busybox', 'sleep', '300']).trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(ok(['inspect', '-f', '{{.State.Running}} {{.Id}}', 'bg']), `true ${id}\n`);
    ok(['rm', '-f', 'bg']);
  });

  it('--rm removes the container after it exits', () => {
    ok(['run', '--rm', '--name', 'gone', 'busybox', 'true']);
    const r = d.berth(['inspect', 'gone']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such object: gone/);
  });

  it('applies -e, --env-file, -w, -u, -h, -l and --entrypoint', () => {
    const envFile = join(d.base, 'env.list');
    writeFileSync(envFile, '# comment\nFROM_FILE=yes\n\nBOTH=file\n');
    const out = ok([
      'run', '--rm', '-e', 'A=1', '--env', 'BOTH=flag', '--env-file', envFile, '-w', '/tmp/work', '-u', 'nobody', '-h', 'myhost',
      '-l', 'com.example.k=v', '--entrypoint', 'sh', 'busybox', '-c', 'echo $A $FROM_FILE $BOTH; pwd; id -u; hostname; echo $HOME',
    ]);
    assert.equal(out, '1 yes flag\n/tmp/work\n65534\nmyhost\n/home\n');
  });

  it('resolves user:group against the image', () => {
    assert.equal(ok(['run', '--rm', '-u', '65534:0', 'busybox', 'id']), 'uid=65534(nobody) gid=0(root) groups=0(root)\n');
    const r = d.berth(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'id']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /unable to find user nosuchuser: no matching entries in passwd file/);
  });

  it('follows ENTRYPOINT/CMD rules: arguments replace CMD, --entrypoint "" clears it', () => {
    ok(['import', '-c', 'ENTRYPOINT ["echo", "from-entrypoint"]', '-c', 'CMD ["default-arg"]', join(d.base, 'rootfs.tar'), 'ep:1'], undefined);
    assert.equal(ok(['run', '--rm', 'ep:1']), 'from-entrypoint default-arg\n');
    assert.equal(ok(['run', '--rm', 'ep:1', 'given']), 'from-entrypoint given\n');
    assert.equal(ok(['run', '--rm', '--entrypoint', '', 'ep:1', 'echo', 'plain']), 'plain\n');
    const r = d.berth(['run', '--rm', '--entrypoint', '', 'ep:1']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /No command specified/);
  });

  it('--init runs the command under tini as pid 1', () => {
    assert.equal(ok(['run', '--rm', 'busybox', 'sh', '-c', 'echo $$']), '1\n');
    const out = ok(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$']);
    const [cmdline, pid] = out.trim().split('\n');
    assert.match(cmdline, /^\/sbin\/docker-init -- sh -c/);
    assert.notEqual(pid, '1');
  });
});

describe('isolation', () => {
  it('gives the container its own pid, uts, ipc, mount and net namespaces; the cgroup one as dockerd on cgroup v1', () => {
    const script = 'for n in pid uts ipc mnt net cgroup; do readlink /proc/1/ns/$n; done';
    const inside = ok(['run', '--rm', 'busybox', 'sh', '-c', script]).trim().split('\n');
    for (const [i, n] of ['pid', 'uts', 'ipc', 'mnt', 'net'].entries()) {
      const host = readlinkNs(n);
      assert.notEqual(inside[i], host, `${n} namespace is shared with the host`);
    }
    // dockerd's default-cgroupns-mode is "host" on cgroup v1 (this machine), "private" on v2
    assert.equal(inside[5], readlinkNs('cgroup'));
    assert.notEqual(ok(['run', '--rm', '--cgroupns', 'private', 'busybox', 'readlink', '/proc/1/ns/cgroup']).trim(), readlinkNs('cgroup'));
  });

  it('--network none brings up loopback only', () => {
    const out = ok(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net; cat /sys/class/net/lo/operstate']);
    assert.deepEqual(out.trim().split('\n'), ['lo', 'unknown']);
  });

  it("mounts /proc, /sys, /dev, /dev/pts, /dev/shm and /dev/mqueue as docker does", () => {
    const mounts = ok(['run', '--rm', 'busybox', 'cat', '/proc/mounts']);
    const byTarget = new Map(mounts.trim().split('\n').map((l) => [l.split(' ')[1], l.split(' ')]));
    assert.equal(byTarget.get('/')?.[2], 'overlay');
    assert.equal(byTarget.get('/proc')?.[2], 'proc');
    assert.equal(byTarget.get('/dev')?.[2], 'tmpfs');
    assert.equal(byTarget.get('/dev/pts')?.[2], 'devpts');
    assert.equal(byTarget.get('/dev/shm')?.[2], 'tmpfs');
    assert.equal(byTarget.get('/dev/mqueue')?.[2], 'mqueue');
    assert.match(byTarget.get('/sys')?.[3] ?? '', /(^|,)ro(,|$)/);
    assert.match(byTarget.get('/proc/sys')?.[3] ?? '', /(^|,)ro(,|$)/, '/proc/sys must be read-only');
    for (const f of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) assert.ok(byTarget.has(f), `${f} is not bind-mounted`);
  });

  it("has docker's default capability set", () => {
    const out = ok(['run', '--rm', 'busybox', 'sh', '-c', 'grep CapEff /proc/self/status']);
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
    assert.equal(out.trim().split(/\s+/)[1], '00000000a80425fb');
    const priv = ok(['run', '--rm', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', 'busybox', 'sh', '-c', 'grep CapEff /proc/self/status']);
    assert.equal(priv.trim().split(/\s+/)[1], '0000000000001000');
  });

  it('masks and write-protects the paths docker does', () => {
    const r = d.berth(['run', '--rm', 'busybox', 'sh', '-c', 'cat /proc/keys /proc/timer_list | wc -c; echo x > /proc/sys/kernel/hostname']);
    assert.match(r.stdout, /^\s*0\n/);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Read-only file system/);
  });
});

function readlinkNs(n: string): string {
  return readlinkSync(`/proc/self/ns/${n}`);
}

describe('lifecycle verbs', () => {
  it('create, start, stop, start again, restart, kill, rm', () => {
    const id = ok(['create', '--name', 'cycle', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']).trim();
    assert.match(ok(['ps', '-a', '--filter', 'name=cycle', '--format', '{{.Status}}']), /^Created\n$/);
    assert.equal(ok(['start', 'cycle']), 'cycle\n');
    assert.match(ok(['ps', '--filter', 'name=cycle', '--format', '{{.Status}}']), /^Up /);
    assert.equal(ok(['stop', 'cycle']), 'cycle\n');
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'cycle']), 'exited 0\n');
    ok(['start', id.slice(0, 12)]);
    const pid1 = ok(['inspect', '-f', '{{.State.Pid}}', 'cycle']).trim();
    ok(['restart', '-t', '1', 'cycle']);
    const pid2 = ok(['inspect', '-f', '{{.State.Pid}} {{.State.Running}}', 'cycle']).trim();
    assert.notEqual(pid2.split(' ')[0], pid1);
    assert.equal(pid2.split(' ')[1], 'true');
    ok(['kill', 'cycle']);
    assert.equal(ok(['inspect', '-f', '{{.State.ExitCode}}', 'cycle']), '137\n');
    assert.equal(ok(['rm', 'cycle']), 'cycle\n');
    assert.equal(d.berth(['inspect', 'cycle']).code, 1);
  });

  it('stop sends the image StopSignal (or --stop-signal), then SIGKILL after -t', () => {
    ok(['run', '-d', '--name', 'stubborn', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
    const t0 = Date.now();
    ok(['stop', '-t', '1', 'stubborn']);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 8000, `stop took ${took} ms`);
    assert.equal(ok(['inspect', '-f', '{{.State.ExitCode}}', 'stubborn']), '137\n');
    ok(['run', '-d', '--name', 'usr1', '--stop-signal', 'USR1', 'busybox', 'sh', '-c', 'trap "exit 42" USR1; while true; do sleep 0.1; done']);
    ok(['stop', 'usr1']);
    assert.equal(ok(['inspect', '-f', '{{.State.ExitCode}}', 'usr1']), '42\n');
  });

  it('kill -s delivers the named signal', () => {
    ok(['run', '-d', '--name', 'sig', 'busybox', 'sh', '-c', 'trap "exit 9" HUP; while true; do sleep 0.1; done']);
    ok(['kill', '-s', 'HUP', 'sig']);
    assert.equal(ok(['wait', 'sig']), '9\n');
  });

  it('refuses to kill a stopped container and to remove a running one', () => {
    ok(['create', '--name', 'idle', 'busybox', 'true']);
    const k = d.berth(['kill', 'idle']);
    assert.equal(k.code, 1);
    assert.match(k.stderr, /Error response from daemon: Cannot kill container: idle: Container [0-9a-f]{64} is not running/);
    ok(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '300']);
    const r = d.berth(['rm', 'busy']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/);
    ok(['rm', '-f', 'busy']);
  });

  it('rename changes the name everywhere and frees the old one', () => {
    ok(['create', '--name', 'before', 'busybox', 'true']);
    ok(['rename', 'before', 'after']);
    assert.equal(ok(['inspect', '-f', '{{.Name}}', 'after']), '/after\n');
    assert.equal(d.berth(['inspect', 'before']).code, 1);
    ok(['create', '--name', 'before', 'busybox', 'true']);
    const clash = d.berth(['rename', 'after', 'before']);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /is already in use by container/);
  });

  it('wait prints the exit code once the container stops', async () => {
    ok(['run', '-d', '--name', 'waiter', 'busybox', 'sh', '-c', 'sleep 1; exit 4']);
    assert.equal((await d.berthAsync(['wait', 'waiter'])).stdout, '4\n');
  });

  it('generates docker-style names', () => {
    const id = ok(['create', 'busybox', 'true']).trim();
    assert.match(ok(['inspect', '-f', '{{.Name}}', id]), /^\/[a-z]+_[a-z]+\n$/);
  });
});

describe('ps', () => {
  it("shows docker's columns and filters", () => {
    ok(['run', '-d', '--name', 'ps-up', '-l', 'tier=web', 'busybox', 'sleep', '300']);
    assert.equal(d.berth(['run', '--name', 'ps-done', 'busybox', 'sh', '-c', 'exit 2']).code, 2);
    const table = ok(['ps']);
    assert.match(table.split('\n')[0], /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    assert.match(table, /"sleep 300" +.* ago +Up .* ps-up/);
    assert.doesNotMatch(table, /ps-done/);
    assert.match(ok(['ps', '-a']), /Exited \(2\) .* ago +ps-done/);
    assert.equal(ok(['ps', '-a', '--filter', 'exited=2', '--format', '{{.Names}}']), 'ps-done\n');
    assert.equal(ok(['ps', '--filter', 'label=tier=web', '--format', '{{.Names}} {{.Label "tier"}}']), 'ps-up web\n');
    assert.equal(ok(['ps', '-a', '--filter', 'status=exited', '--filter', 'name=ps-', '--format', '{{.Names}}']), 'ps-done\n');
    assert.equal(ok(['ps', '-a', '--filter', 'ancestor=busybox', '-q']).trim().split('\n').length >= 2, true);
    const q = ok(['ps', '-q']).trim().split('\n');
    assert.ok(q.every((x) => /^[0-9a-f]{12}$/.test(x)));
    assert.match(ok(['ps', '-q', '--no-trunc']).trim().split('\n')[0], /^[0-9a-f]{64}$/);
    assert.equal(ok(['ps', '-l', '--format', '{{.Names}}']), 'ps-done\n');
    assert.equal(ok(['ps', '-n', '2', '-q']).trim().split('\n').length, 2);
    assert.match(ok(['ps', '-s', '--filter', 'name=ps-up']).split('\n')[0], /SIZE$/);
    const json = JSON.parse(ok(['ps', '--filter', 'name=ps-up', '--format', 'json']).trim());
    assert.equal(json.Names, 'ps-up');
    assert.equal(json.State, 'running');
    assert.match(ok(['ps', '--filter', 'name=ps-up', '--format', 'table {{.ID}}\t{{.Names}}']), /^CONTAINER ID +NAMES\n[0-9a-f]{12} +ps-up\n$/);
    const bad = d.berth(['ps', '--format', '{{.Nope}}']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /can't evaluate field Nope/);
  });
});
