// Real clients against `berth registry serve`: the docker CLI 28 (through a test berthd) and the
// berth CLI push, pull and log in; skopeo copies, inspects and deletes; podman pushes and pulls;
// and Debian's docker-registry serves our registry as its pull-through upstream.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { dockerBin, dockerEnv } from '../../helpers/docker-cli.ts';
import { freePort } from '../distribution/registry-helpers.ts';
import { htpasswdLine, request, startBerthRegistry, type BerthRegistry } from './helpers.ts';

let d: TestDaemon;
let reg: BerthRegistry;
let secured: BerthRegistry;

const docker = (args: string[], input?: string) => {
  const r = spawnSync(dockerBin, args, { env: dockerEnv(d), input: input ?? '', encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const dockerOk = (args: string[], input?: string) => {
  const r = docker(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};
const berthOk = (args: string[], input?: string) => {
  const r = d.berth(args, { ...(input !== undefined ? { input } : {}), timeout: 120_000 });
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};
const skopeo = (args: string[]) => spawnSync('skopeo', args, { encoding: 'utf8', timeout: 120_000 });

before(async () => {
  d = await startDaemon();
  reg = await startBerthRegistry(d.base, { config: 'storage:\n  delete:\n    enabled: true\n', name: 'open' });
  writeFileSync(join(d.base, 'htpasswd'), `${htpasswdLine('alice', 'wonderland')}\n`);
  secured = await startBerthRegistry(d.base, { config: `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${join(d.base, 'htpasswd')}\n`, name: 'secured' });
  berthOk(['pull', 'busybox']);
});
after(async () => {
  await reg?.stop();
  await secured?.stop();
  await d?.cleanup();
});

describe('the docker CLI 28 (through berthd)', () => {
  let digest = '';
  it('pushes to the registry and pulls back what it pushed', () => {
    const ref = `${reg.host}/library/busybox:docker`;
    dockerOk(['tag', 'busybox', ref]);
    const out = dockerOk(['push', ref]);
    const m = /docker: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(out);
    assert.ok(m, out);
    digest = m[1];
    dockerOk(['rmi', ref]);
    const pulled = dockerOk(['pull', ref]);
    assert.match(pulled, new RegExp(`Digest: ${digest}`));
    assert.equal(dockerOk(['run', '--rm', ref, 'echo', 'from our registry']), 'from our registry\n');
    assert.match(dockerOk(['pull', `${reg.host}/library/busybox@${digest}`]), /Digest|up to date/);
  });

  it('logs in with htpasswd credentials, pushes, and is refused with a wrong password', () => {
    const ref = `${secured.host}/team/bb:1`;
    dockerOk(['tag', 'busybox', ref]);
    const anonymous = docker(['push', ref]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr + anonymous.stdout, /no basic auth credentials|unauthorized|authentication required/);
    const bad = docker(['login', '-u', 'alice', '--password-stdin', secured.host], 'wrong');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unauthorized|401/);
    assert.match(dockerOk(['login', '-u', 'alice', '--password-stdin', secured.host], 'wonderland'), /Login Succeeded/);
    assert.match(dockerOk(['push', ref]), /1: digest: sha256:/);
    dockerOk(['rmi', ref]);
    dockerOk(['pull', ref]);
    dockerOk(['logout', secured.host]);
  });
});

describe('the berth CLI', () => {
  it('pushes, pulls, and logs in', () => {
    const ref = `${reg.host}/berth/busybox:1`;
    berthOk(['tag', 'busybox', ref]);
    assert.match(berthOk(['push', ref]), /1: digest: sha256:[0-9a-f]{64} size: \d+/);
    // pushed again to another repository: the layer is mounted across
    berthOk(['tag', 'busybox', `${reg.host}/berth/copy:1`]);
    assert.match(berthOk(['push', `${reg.host}/berth/copy:1`]), /Mounted from|Layer already exists/);
    berthOk(['rmi', ref]);
    assert.match(berthOk(['pull', ref]), /Status: Downloaded newer image/);
    const bad = d.berth(['login', '-u', 'alice', '--password-stdin', secured.host], { input: 'nope' });
    assert.notEqual(bad.code, 0);
    assert.match(berthOk(['login', '-u', 'alice', '--password-stdin', secured.host], 'wonderland'), /Login Succeeded/);
    berthOk(['tag', 'busybox', `${secured.host}/berth/bb:2`]);
    assert.match(berthOk(['push', `${secured.host}/berth/bb:2`]), /2: digest:/);
  });
});

describe('skopeo', () => {
  it('copies between repositories, inspects, and deletes', () => {
    const src = `docker://${reg.host}/library/busybox:docker`;
    const dst = `docker://${reg.host}/skopeo/copy:1`;
    const c = skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', src, dst]);
    assert.equal(c.status, 0, c.stderr);
    const i = skopeo(['inspect', '--tls-verify=false', dst]);
    assert.equal(i.status, 0, i.stderr);
    const info = JSON.parse(i.stdout) as { Architecture: string; Os: string; Layers: string[]; RepoTags: string[] };
    assert.equal(info.Os, 'linux');
    assert.deepEqual(info.RepoTags, ['1']);
    // an OCI copy too (skopeo converts the manifest)
    const o = skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--format', 'oci', src, `docker://${reg.host}/skopeo/oci:1`]);
    assert.equal(o.status, 0, o.stderr);
    assert.match(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/skopeo/oci:1`]).stdout, /application\/vnd\.oci\.image\.manifest\.v1\+json/);
    const del = skopeo(['delete', '--tls-verify=false', dst]);
    assert.equal(del.status, 0, del.stderr);
    const gone = skopeo(['inspect', '--tls-verify=false', dst]);
    assert.notEqual(gone.status, 0);
    assert.match(gone.stderr, /manifest unknown/);
  });
});

describe('podman', () => {
  it('pulls from and pushes to the registry', () => {
    const dir = join(d.base, 'podman');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'containers.conf'), `[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "${join(dir, 'events.log')}"\n[network]\nnetwork_config_dir = "${join(dir, 'networks')}"\n`);
    writeFileSync(join(dir, 'registries.conf'), 'unqualified-search-registries = []\n');
    const podman = (args: string[]) =>
      // every path podman keeps state in under the test's directory (nothing in /run or /var/lib)
      spawnSync('podman', ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--tmpdir', join(dir, 'libpod'), '--network-config-dir', join(dir, 'networks'), '--volumepath', join(dir, 'volumes'), '--runtime', 'runc', '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...args], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf'), CONTAINERS_REGISTRIES_CONF: join(dir, 'registries.conf'), TMPDIR: dir },
      });
    try {
      const pull = podman(['pull', '--tls-verify=false', `${reg.host}/library/busybox:docker`]);
      assert.equal(pull.status, 0, pull.stderr);
      const tag = podman(['tag', `${reg.host}/library/busybox:docker`, `${reg.host}/podman/busybox:1`]);
      assert.equal(tag.status, 0, tag.stderr);
      const push = podman(['push', '--tls-verify=false', `${reg.host}/podman/busybox:1`]);
      assert.equal(push.status, 0, push.stderr);
      assert.deepEqual(JSON.parse(skopeo(['list-tags', '--tls-verify=false', `docker://${reg.host}/podman/busybox`]).stdout).Tags, ['1']);
      const rmi = podman(['rmi', '-a', '-f']);
      assert.equal(rmi.status, 0, rmi.stderr);
      const again = podman(['pull', '--tls-verify=false', `${reg.host}/podman/busybox:1`]);
      assert.equal(again.status, 0, again.stderr);
    } finally {
      podman(['rmi', '-a', '-f']);
      spawnSync('umount', ['-R', join(dir, 'root')]);
      // podman 4.3 makes its netavark run directory in /run whatever the flags: removed when empty
      spawnSync('rmdir', ['/run/containers/networks', '/run/containers']);
    }
  });
});

describe("Debian's docker-registry", () => {
  it('serves our registry as its pull-through upstream', async () => {
    const port = await freePort();
    const dir = join(d.base, 'distribution-proxy');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\nproxy:\n  remoteurl: ${reg.url}\n`);
    const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let logs = '';
    child.stderr!.on('data', (x: Buffer) => (logs += x.toString()));
    try {
      for (let i = 0; i < 200; i++) {
        if ((await request(`http://127.0.0.1:${port}/v2/`).catch(() => ({ status: 0 }))).status === 200) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const i = skopeo(['inspect', '--tls-verify=false', `docker://127.0.0.1:${port}/berth/busybox:1`]);
      assert.equal(i.status, 0, `${i.stderr}\n${logs}`);
      const c = skopeo(['copy', '--src-tls-verify=false', `docker://127.0.0.1:${port}/berth/busybox:1`, `dir:${join(dir, 'copy')}`]);
      assert.equal(c.status, 0, `${c.stderr}\n${logs}`);
      assert.equal(berthOk(['run', '--rm', (berthOk(['pull', `127.0.0.1:${port}/berth/busybox:1`]), `127.0.0.1:${port}/berth/busybox:1`), 'echo', 'via distribution']), 'via distribution\n');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
