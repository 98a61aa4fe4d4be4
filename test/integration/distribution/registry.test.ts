// Pull and push against a real docker-registry (distribution 2.8) on 127.0.0.1: berth's built-in
// busybox pushed and pulled back, skopeo reading what berth pushed, digests, all tags, OCI
// indexes with --platform, zstd layers, cross-repository mounts and a registry mirror.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { gzipLayer, imageConfig, manifestOf, putBlob, putManifest, pushImage, sha256, startRegistry, tarOf, zstdLayer, type RunningRegistry } from './registry-helpers.ts';

let d: TestDaemon;
let reg: RunningRegistry;

const ok = (args: string[], input?: string) => {
  const r = d.berth(args, { ...(input !== undefined ? { input } : {}), timeout: 120_000 });
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

before(async () => {
  d = await startDaemon();
  reg = await startRegistry(d.base);
});
after(async () => {
  await reg?.stop();
  await d?.cleanup();
});

describe('pull and push with a docker-registry', () => {
  let pushedDigest = '';

  it('pushes the built-in busybox, with docker\'s output', () => {
    ok(['pull', 'busybox']);
    const name = `${reg.host}/test/busybox`;
    ok(['tag', 'busybox', `${name}:1`]);
    const out = ok(['push', `${name}:1`]);
    assert.match(out, new RegExp(`^The push refers to repository \\[${reg.host}/test/busybox\\]\\n`));
    assert.match(out, /^[0-9a-f]{12}: Preparing$/m);
    assert.match(out, /^[0-9a-f]{12}: Pushed$/m);
    const m = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/m.exec(out);
    assert.ok(m, out);
    pushedDigest = m[1];
    // pushed again: nothing to upload
    assert.match(ok(['push', `${name}:1`]), /^[0-9a-f]{12}: Layer already exists$/m);
    // to another repository of the same registry: mounted across
    ok(['tag', 'busybox', `${reg.host}/other/copy:2`]);
    assert.match(ok(['push', `${reg.host}/other/copy:2`]), /^[0-9a-f]{12}: Mounted from test\/busybox$/m);
    assert.match(ok(['images', '--digests', '--format', '{{.Repository}} {{.Digest}}']), new RegExp(`${name} ${pushedDigest}`));
  });

  it('skopeo inspects and copies what berth pushed', () => {
    const r = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/test/busybox:1`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { Digest: string; Architecture: string; Os: string; Layers: string[] };
    assert.equal(info.Digest, pushedDigest);
    assert.equal(info.Os, 'linux');
    assert.equal(info.Layers.length, 1);
    const c = spawnSync('skopeo', ['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/test/busybox:1`, `docker://${reg.host}/test/skopeo-copy:1`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(c.status, 0, c.stderr);
    // and berth pulls skopeo's copy
    assert.match(ok(['pull', `${reg.host}/test/skopeo-copy:1`]), /Status: (Downloaded newer image|Image is up to date) for/);
  });

  it('pulls it back into an empty store, runs it, and records the digest', () => {
    const name = `${reg.host}/test/busybox`;
    for (const ref of ok(['images', '--format', '{{.Repository}}:{{.Tag}}']).trim().split('\n')) ok(['rmi', '-f', ref]);
    assert.equal(ok(['images', '-q']), '');
    const out = ok(['pull', `${name}:1`]);
    assert.match(out, /^1: Pulling from test\/busybox$/m);
    assert.match(out, /^[0-9a-f]{12}: Pulling fs layer$/m);
    assert.match(out, /^[0-9a-f]{12}: Pull complete$/m);
    assert.match(out, new RegExp(`^Digest: ${pushedDigest}$`, 'm'));
    assert.match(out, new RegExp(`^Status: Downloaded newer image for ${name}:1$`, 'm'));
    assert.match(ok(['pull', `${name}:1`]), new RegExp(`Status: Image is up to date for ${name}:1`));
    assert.equal(ok(['run', '--rm', `${name}:1`, 'echo', 'pulled']), 'pulled\n');
    assert.equal(ok(['image', 'inspect', '-f', '{{json .RepoDigests}}', `${name}:1`]).trim(), JSON.stringify([`${name}@${pushedDigest}`]));
    // by digest
    ok(['rmi', `${name}:1`]);
    const byDigest = ok(['pull', `${name}@${pushedDigest}`]);
    assert.match(byDigest, new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${name}@${pushedDigest}`));
    assert.match(ok(['images', '--digests']), new RegExp(`${name} +<none> +${pushedDigest}`));
  });

  it('pulls all tags with -a, and refuses a tag with it', () => {
    const tar = tarOf({ 'hello.txt': 'hello\n' });
    return (async () => {
      await pushImage(reg.host, 'multi/tags', 'a', [gzipLayer(tar)]);
      await pushImage(reg.host, 'multi/tags', 'b', [gzipLayer(tar), gzipLayer(tarOf({ 'b.txt': 'b\n' }))]);
      const out = ok(['pull', '-a', `${reg.host}/multi/tags`]);
      assert.match(out, /^a: Pulling from multi\/tags$/m);
      assert.match(out, /^b: Pulling from multi\/tags$/m);
      assert.match(out, /Already exists/);
      const tags = ok(['images', '--format', '{{.Tag}}', `${reg.host}/multi/tags`]).trim().split('\n').sort();
      assert.deepEqual(tags, ['a', 'b']);
      assert.equal(d.berth(['pull', '-a', `${reg.host}/multi/tags:a`]).code, 1);
    })();
  });

  it('chooses from an OCI index by --platform; OCI manifests and zstd layers', async () => {
    const amdLayer = gzipLayer(tarOf({ 'arch.txt': 'amd64\n' }), true);
    const armLayer = zstdLayer(tarOf({ 'arch.txt': 'arm64\n' }));
    const repo = 'multi/platform';
    const entries = [];
    for (const [arch, layer] of [['amd64', amdLayer], ['arm64', armLayer]] as const) {
      await putBlob(reg.host, repo, layer.blob);
      const config = imageConfig([layer], { architecture: arch });
      await putBlob(reg.host, repo, config);
      const manifest = manifestOf(config, [layer], true);
      await putManifest(reg.host, repo, sha256(manifest), manifest, 'application/vnd.oci.image.manifest.v1+json');
      entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: manifest.length, digest: sha256(manifest), platform: { os: 'linux', architecture: arch } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    const indexDigest = await putManifest(reg.host, repo, 'latest', index, 'application/vnd.oci.image.index.v1+json');
    const name = `${reg.host}/${repo}`;
    ok(['pull', name]);
    assert.equal(ok(['image', 'inspect', '-f', '{{.Architecture}}', name]), 'amd64\n');
    // the list's digest is the repo digest, as docker records it
    assert.match(ok(['image', 'inspect', '-f', '{{json .RepoDigests}}', name]), new RegExp(indexDigest));
    const out = ok(['pull', '--platform', 'linux/arm64', name]);
    assert.match(out, /Downloaded newer image/);
    assert.equal(ok(['image', 'inspect', '-f', '{{.Architecture}}', name]), 'arm64\n');
    const miss = d.berth(['pull', '--platform', 'linux/s390x', name]);
    assert.equal(miss.code, 1);
    assert.match(miss.stderr, /no matching manifest for linux\/s390x in the manifest list entries/);
  });

  it('run --pull always|missing|never, and a run that pulls', async () => {
    await pushImage(reg.host, 'run/me', 'latest', [gzipLayer(tarOf({ 'x.txt': 'x\n' }))]);
    const name = `${reg.host}/run/me`;
    const never = d.berth(['run', '--rm', '--pull', 'never', name, 'true']);
    assert.equal(never.code, 125);
    assert.match(never.stderr, /No such image/);
    const created = d.berth(['create', name]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, new RegExp(`Unable to find image '${name}:latest' locally`));
    assert.match(created.stderr, /Pull complete/);
    const always = d.berth(['create', '--pull', 'always', name]);
    assert.equal(always.code, 0, always.stderr);
    assert.match(always.stderr, /Image is up to date/);
    ok(['rm', created.stdout.trim(), always.stdout.trim()]);
  });

  it('a missing tag and a missing repository give docker\'s messages', () => {
    const r = d.berth(['pull', `${reg.host}/test/busybox:nosuch`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Error response from daemon: manifest for ${reg.host}/test/busybox:nosuch not found: manifest unknown`));
    const push = d.berth(['push', `${reg.host}/not/local:1`]);
    assert.equal(push.code, 1);
    assert.match(push.stderr, new RegExp(`An image does not exist locally with the tag: ${reg.host}/not/local`));
  });

  it('search lists the registry\'s catalog', () => {
    const out = ok(['search', `${reg.host}/busy`]);
    assert.match(out, /^NAME +DESCRIPTION +STARS +OFFICIAL\n/);
    assert.match(out, new RegExp(`^${reg.host}/test/busybox +0`, 'm'));
    assert.doesNotMatch(out, /multi\/tags/);
  });

  it('leaves no temp files behind', () => {
    const tmp = join(d.dataRoot, 'tmp');
    const left = (() => {
      try {
        return readdirSync(tmp).filter((n) => n.startsWith('pull-'));
      } catch {
        return [];
      }
    })();
    assert.deepEqual(left, []);
  });
});

describe('chunked uploads and TLS', () => {
  it('pushes in Content-Range chunks (BERTH_REGISTRY_CHUNK_SIZE), and pulls it back', async () => {
    await d.stop();
    await d.startWithEnv({ BERTH_REGISTRY_CHUNK_SIZE: String(256 * 1024) });
    ok(['pull', 'busybox']);
    ok(['tag', 'busybox', `${reg.host}/chunked/bb:1`]);
    const out = ok(['push', `${reg.host}/chunked/bb:1`]);
    // a new layer only if this registry lacks it; mount or skip otherwise: push to a fresh registry
    assert.match(out, /1: digest: sha256:[0-9a-f]{64}/);
    const fresh = await startRegistry(d.base);
    try {
      ok(['tag', 'busybox', `${fresh.host}/chunked/bb:1`]);
      assert.match(ok(['push', `${fresh.host}/chunked/bb:1`]), /: Pushed$/m);
      const r = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${fresh.host}/chunked/bb:1`], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      ok(['rmi', `${fresh.host}/chunked/bb:1`]);
      assert.match(ok(['pull', `${fresh.host}/chunked/bb:1`]), /Digest: sha256:/);
    } finally {
      await fresh.stop();
    }
  });

  it('reaches a TLS registry with a self-signed certificate (loopback is insecure by default)', async () => {
    const secure = await startRegistry(d.base, { kind: 'none' }, { tls: true });
    try {
      ok(['tag', 'busybox', `${secure.host}/tls/bb:1`]);
      assert.match(ok(['push', `${secure.host}/tls/bb:1`]), /1: digest: sha256:/);
      ok(['rmi', `${secure.host}/tls/bb:1`]);
      assert.match(ok(['pull', `${secure.host}/tls/bb:1`]), /Digest: sha256:/);
    } finally {
      await secure.stop();
    }
  });
});

describe('registry mirrors', () => {
  let m: TestDaemon;
  after(async () => {
    await m?.cleanup();
  });

  it('pulls docker.io names from the mirror first', async () => {
    await pushImage(reg.host, 'library/mirrored', 'v1', [gzipLayer(tarOf({ 'm.txt': 'mirror\n' }))]);
    m = await startDaemon({ config: { 'registry-mirrors': [`http://${reg.host}`] } });
    const r = m.berth(['pull', 'mirrored:v1'], { timeout: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Status: Downloaded newer image for mirrored:v1/);
    assert.match(m.berth(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout, /^mirrored:v1$/m);
  });
});
