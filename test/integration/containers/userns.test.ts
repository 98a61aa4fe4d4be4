// userns-remap on this machine: berthd with "userns-remap": "default" adds Berth's ranges to
// /etc/subuid and /etc/subgid (the test removes what it added), keeps its state under
// <data-root>/<uid>.<gid> with layers owned by the remapped ids, and runs containers whose root is
// that uid on the host — a file it creates in a bind mount is owned by it — while --userns=host
// gives the host's root back and --privileged with remapping is refused as dockerd refuses it.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeThirdOctet, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

const idFiles = ['/etc/subuid', '/etc/subgid'];
const before_ = new Map<string, string>();
let d: TestDaemon;
let root: { uid: number; gid: number };

/** Puts back the lines of /etc/subuid and /etc/subgid this test added, keeping anything else. */
function restoreIdFiles(): void {
  for (const f of idFiles) {
    const had = new Set((before_.get(f) ?? '').split('\n'));
    if (!existsSync(f)) continue;
    const now = readFileSync(f, 'utf8').split('\n');
    const kept = now.filter((l) => had.has(l) || !l.startsWith('berth:'));
    if (kept.length !== now.length) writeFileSync(f, kept.join('\n'));
  }
}

before(async () => {
  for (const f of idFiles) before_.set(f, existsSync(f) ? readFileSync(f, 'utf8') : '');
  d = await startDaemon({ config: { 'userns-remap': 'default' } });
  // the remapped root must be able to walk to the daemon's directories (mkdtemp made this 0700)
  chmodSync(d.base, 0o711);
  d.berthOk(['pull', 'busybox']);
  const line = readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith('berth:'))!;
  const gline = readFileSync('/etc/subgid', 'utf8').split('\n').find((l) => l.startsWith('berth:'))!;
  root = { uid: Number(line.split(':')[1]), gid: Number(gline.split(':')[1]) };
});
after(async () => {
  try {
    await d?.cleanup();
  } finally {
    restoreIdFiles();
  }
});

const ok = (args: string[]) => d.berthOk(args);

describe('userns-remap default', () => {
  it("adds berth's ranges to /etc/subuid and /etc/subgid, and moves berthd's state to <data-root>/<uid>.<gid>", () => {
    for (const f of idFiles) assert.match(readFileSync(f, 'utf8'), /^berth:\d+:65536$/m);
    const remapped = join(d.dataRoot, `${root.uid}.${root.gid}`);
    assert.equal(ok(['info', '--format', '{{.DockerRootDir}}']).trim(), remapped);
    assert.match(ok(['info', '--format', '{{json .SecurityOptions}}']), /"name=userns"/);
    const st = statSync(remapped);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, root.gid, 0o710]);
    // the image's files belong to the remapped root on disk
    const layers = join(remapped, 'overlay2');
    const busybox = readdirSync(layers).map((l) => join(layers, l, 'diff', 'bin', 'busybox')).find((p) => existsSync(p));
    assert.ok(busybox, 'the busybox layer');
    assert.deepEqual([statSync(busybox).uid, statSync(busybox).gid], [root.uid, root.gid]);
  });

  it("runs the container's root as the remapped uid: a file it creates in a bind mount belongs to that uid", () => {
    const dir = join(d.base, 'bind');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const out = ok(['run', '--rm', '-v', `${dir}:/b`, 'busybox', 'sh', '-c', 'id -u; cat /proc/self/uid_map; touch /b/by-root; ls -ln /bin/busybox']);
    const [uid, map, ls] = out.trim().split('\n');
    assert.equal(uid, '0');
    assert.deepEqual(map.trim().split(/\s+/), ['0', String(root.uid), '65536']);
    assert.match(ls, /^-rwxr-xr-x +\d+ 0 +0 /, 'inside, the image is root-owned');
    const st = statSync(join(dir, 'by-root'));
    assert.deepEqual([st.uid, st.gid], [root.uid, root.gid]);
  });

  it('works with exec, networking, volumes and commit', () => {
    const id = ok(['run', '-d', '-v', 'data:/data', 'busybox', 'sh', '-c', 'touch /data/x /made; sleep 1000']).trim();
    try {
      assert.equal(ok(['exec', id, 'sh', '-c', 'id -u; cat /proc/sys/net/ipv4/ip_unprivileged_port_start']), '0\n0\n');
      assert.match(ok(['exec', id, 'ip', '-4', 'addr', 'show', 'eth0']), /inet 10\.213\.\d+\.\d+\/24/);
      const data = join(d.dataRoot, `${root.uid}.${root.gid}`, 'volumes', 'data', '_data');
      assert.equal(statSync(data).uid, root.uid);
      assert.equal(statSync(join(data, 'x')).uid, root.uid);
      ok(['commit', id, 'remapped:1']);
      // the committed layer holds the container's ids, not the host's
      assert.match(ok(['run', '--rm', 'remapped:1', 'ls', '-ln', '/made']), /^-rw-r--r-- +1 0 +0 /);
    } finally {
      ok(['rm', '-f', id]);
    }
  });

  it("finds other containers by name on a user-defined network (the embedded DNS in a namespace the remapped root owns)", () => {
    const subnet = `10.217.${freeThirdOctet('10.217')}`;
    ok(['network', 'create', '--subnet', `${subnet}.0/24`, 'remapnet']);
    try {
      ok(['run', '-d', '--name', 'peer', '--network', 'remapnet', 'busybox', 'sleep', '1000']);
      const peer = ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "remapnet").IPAddress}}', 'peer']).trim();
      const r = d.berth(['run', '--rm', '--network', 'remapnet', 'busybox', 'sh', '-c', 'grep nameserver /etc/resolv.conf; nslookup peer; ping -c1 -W2 peer']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^nameserver 127\.0\.0\.11$/m);
      assert.match(r.stdout, new RegExp(`^Address: ${peer.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(r.stdout, /1 packets received/);
    } finally {
      d.berth(['rm', '-f', 'peer']);
      d.berth(['network', 'rm', 'remapnet']);
    }
  });

  it('builds: COPY and RUN write files the container sees as its own, owned on disk by the remapped ids', () => {
    const ctx = join(d.base, 'userns-build');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY f /bf\nCOPY --chown=1000:1000 f /bg\nRUN touch /bmade\n');
    writeFileSync(join(ctx, 'f'), 'data\n');
    const r = d.berth(['build', '-q', '-t', 'remapped-build', ctx]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(ok(['run', '--rm', 'remapped-build', 'ls', '-ln', '/bf', '/bg', '/bmade']), /^-rw-r--r-- +1 0 +0 .* \/bf\n-rw-r--r-- +1 1000 +1000 .* \/bg\n-rw-r--r-- +1 0 +0 .* \/bmade\n$/);
    // the layers on disk: the remapped root's and the remapped 1000's
    const diffs = join(d.dataRoot, `${root.uid}.${root.gid}`, 'overlay2');
    const owners = readdirSync(diffs)
      .map((l) => join(diffs, l, 'diff'))
      .flatMap((diff) => ['bf', 'bg', 'bmade'].filter((n) => existsSync(join(diff, n))).map((n) => `${n}:${statSync(join(diff, n)).uid}`));
    assert.deepEqual(owners.sort(), [`bf:${root.uid}`, `bg:${root.uid + 1000}`, `bmade:${root.uid}`]);
  });

  it('--userns=host gives the host root back; --privileged, --network host and --pid host need it', () => {
    assert.deepEqual(ok(['run', '--rm', '--userns', 'host', 'busybox', 'cat', '/proc/self/uid_map']).trim().split(/\s+/), ['0', '0', '4294967295']);
    assert.equal(ok(['run', '--rm', '--userns', 'host', '--privileged', 'busybox', 'id', '-u']), '0\n');
    const refused = (args: string[], message: string) => {
      const r = d.berth(['run', '--rm', ...args, 'busybox', 'true']);
      assert.equal(r.code, 125);
      assert.equal(r.stderr.split('\n')[0], `berth: Error response from daemon: ${message}`);
    };
    refused(['--privileged'], 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
    refused(['--network', 'host'], "cannot share the host's network namespace when user namespaces are enabled");
    refused(['--pid', 'host'], 'cannot share the host PID namespace when user namespaces are enabled');
  });
});
