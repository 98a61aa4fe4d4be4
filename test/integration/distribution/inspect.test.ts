// GET /distribution/{name}/json against real docker-registry instances: the descriptor and
// platforms of image manifests and OCI indexes, by tag and by digest, docker.io names through a
// mirror, X-Registry-Auth — and a registry that does not answer, which is a 500 as in dockerd.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { freePort, gzipLayer, pushImage, putManifest, sha256, startRegistry, tarOf, type RunningRegistry } from './registry-helpers.ts';

let d: TestDaemon;
let reg: RunningRegistry;
let basic: RunningRegistry;
let base: string;

const ociIndex = 'application/vnd.oci.image.index.v1+json';
const dockerManifest = 'application/vnd.docker.distribution.manifest.v2+json';

before(async () => {
  // a registry of its own, also docker.io's mirror for this daemon
  base = mkdtempSync('/tmp/berth-dist-inspect-');
  reg = await startRegistry(base);
  basic = await startRegistry(base, { kind: 'htpasswd', user: 'alice', password: 's3cret' });
  d = await startDaemon({ config: { 'registry-mirrors': [`http://${reg.host}`] } });
});
after(async () => {
  await d?.cleanup();
  await reg?.stop();
  await basic?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

const inspect = async (name: string, headers: Record<string, string> = {}) => {
  const r = await d.api('GET', `/distribution/${name}/json`, undefined, headers);
  return { status: r.status, body: JSON.parse(r.body) as { Descriptor?: { mediaType: string; digest: string; size: number }; Platforms?: unknown; message?: string } };
};

describe('distribution inspect', () => {
  it('describes an image manifest by tag and by digest, with its config\'s platform', async () => {
    const pushed = await pushImage(reg.host, 'team/app', '1.0', [gzipLayer(tarOf({ 'a.txt': 'a\n' }))], { architecture: 'arm64' });
    const byTag = await inspect(`${reg.host}/team/app:1.0`);
    assert.equal(byTag.status, 200, JSON.stringify(byTag.body));
    assert.deepEqual(byTag.body, {
      Descriptor: { mediaType: dockerManifest, digest: pushed.digest, size: pushed.manifest.length },
      Platforms: [{ architecture: 'arm64', os: 'linux' }],
    });
    assert.deepEqual((await inspect(`${reg.host}/team/app@${pushed.digest}`)).body, byTag.body);
    // a tag and a digest: the digest decides, as in dockerd
    assert.deepEqual((await inspect(`${reg.host}/team/app:nosuch@${pushed.digest}`)).body, byTag.body);
  });

  it("lists every platform of an OCI index", async () => {
    const layer = gzipLayer(tarOf({ 'b.txt': 'b\n' }));
    const amd = await pushImage(reg.host, 'team/multi', 'amd64', [layer], { architecture: 'amd64' });
    const arm = await pushImage(reg.host, 'team/multi', 'arm', [layer], { architecture: 'arm' });
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: ociIndex,
        manifests: [
          { mediaType: dockerManifest, digest: amd.digest, size: amd.manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
          { mediaType: dockerManifest, digest: arm.digest, size: arm.manifest.length, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
        ],
      }),
    );
    await putManifest(reg.host, 'team/multi', 'latest', index, ociIndex);
    const r = await inspect(`${reg.host}/team/multi`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, {
      Descriptor: { mediaType: ociIndex, digest: sha256(index), size: index.length },
      Platforms: [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm', os: 'linux', variant: 'v7' },
      ],
    });
  });

  it("asks docker.io's mirror for docker.io names, and its answer stands", async () => {
    const pushed = await pushImage(reg.host, 'library/mirrored', 'latest', [gzipLayer(tarOf({ 'm.txt': 'm\n' }))]);
    const r = await inspect('mirrored');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.Descriptor?.digest, pushed.digest);
    // a tag the mirror lacks is its 404 (dockerd settles on the first registry that answers)
    assert.deepEqual(await inspect('mirrored:nosuch'), { status: 404, body: { message: 'manifest unknown: manifest unknown' } });
  });

  it('sends the credentials of X-Registry-Auth', async () => {
    const auth = (user: string, password: string) => Buffer.from(JSON.stringify({ username: user, password, serveraddress: basic.host })).toString('base64url');
    const layer = gzipLayer(tarOf({ 'p.txt': 'private\n' }));
    // the htpasswd registry takes the upload from its admin (curl with Basic auth)
    const pushed = await pushWithBasic(basic.host, 'private/app', layer);
    const anonymous = await inspect(`${basic.host}/private/app`);
    assert.equal(anonymous.status, 500);
    assert.match(anonymous.body.message ?? '', /no basic auth credentials/);
    const wrong = await inspect(`${basic.host}/private/app`, { 'X-Registry-Auth': auth('alice', 'wrong') });
    assert.equal(wrong.status, 401, JSON.stringify(wrong.body));
    const right = await inspect(`${basic.host}/private/app`, { 'X-Registry-Auth': auth('alice', 's3cret') });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    assert.equal(right.body.Descriptor?.digest, pushed);
  });

  it('refuses what names no repository', async () => {
    assert.deepEqual(await inspect(`sha256:${'a'.repeat(64)}`), { status: 400, body: { message: 'no manifest found for full image ID' } });
    assert.deepEqual(await inspect('a:b:c'), { status: 400, body: { message: 'invalid reference format' } });
  });
});

describe('a registry that does not answer', () => {
  it("is a 500 in Go's words, for inspect and pull alike", async () => {
    const port = await freePort();
    const r = await inspect(`127.0.0.1:${port}/x`);
    assert.equal(r.status, 500);
    assert.match(r.body.message ?? '', new RegExp(`^Get "http://127\\.0\\.0\\.1:${port}/v2/x/manifests/latest": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused$`));
    const pull = await d.api('POST', `/images/create?fromImage=127.0.0.1:${port}/x&tag=latest`);
    assert.equal(pull.status, 500, pull.body);
    assert.match(pull.body, /connect: connection refused/);
  });
});

/** Pushes one image to an htpasswd registry as alice; returns the manifest digest. */
async function pushWithBasic(host: string, repo: string, layer: ReturnType<typeof gzipLayer>): Promise<string> {
  const authorization = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
  const put = async (blob: Buffer) => {
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { Authorization: authorization } });
    assert.equal(start.status, 202);
    const loc = new URL(start.headers.get('location')!, `http://${host}`);
    loc.searchParams.set('digest', sha256(blob));
    const done = await fetch(loc, { method: 'PUT', body: blob, headers: { Authorization: authorization, 'Content-Type': 'application/octet-stream' } });
    assert.equal(done.status, 201, await done.text());
  };
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [layer.diffId] }, history: [{ created_by: 'test' }] }));
  await put(layer.blob);
  await put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: dockerManifest,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: layer.mediaType, size: layer.blob.length, digest: sha256(layer.blob) }],
    }),
  );
  const res = await fetch(`http://${host}/v2/${repo}/manifests/latest`, { method: 'PUT', body: manifest, headers: { Authorization: authorization, 'Content-Type': dockerManifest } });
  assert.equal(res.status, 201, await res.text());
  return sha256(manifest);
}
