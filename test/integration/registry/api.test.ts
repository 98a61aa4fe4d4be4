// The OCI distribution API of `berth registry serve`, endpoint by endpoint, with the spec's
// answers and errors: pull (tags, digests, HEAD, Range), push (monolithic, POST-PUT, chunked PATCH
// with Content-Range, resumed after a dropped connection), cross-repository mount, delete,
// pagination, the catalog, referrers with artifactType, and bad input that must leave nothing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarAttacks } from '../../../src/archive/index.ts';
import { gzipLayer, imageConfig, manifestOf, tarOf } from '../distribution/registry-helpers.ts';
import { errorCode, request, sha256, startBerthRegistry, type BerthRegistry } from './helpers.ts';

const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
const ociIndex = 'application/vnd.oci.image.index.v1+json';
const dockerManifest = 'application/vnd.docker.distribution.manifest.v2+json';

let base: string;
let reg: BerthRegistry;
let readOnlyish: BerthRegistry;
const v2 = (p: string) => `${reg.url}/v2/${p}`;

async function upload(repo: string, blob: Buffer): Promise<string> {
  const start = await request(v2(`${repo}/blobs/uploads/`), { method: 'POST' });
  assert.equal(start.status, 202, start.text);
  const loc = new URL(start.headers.get('location')!, reg.url);
  loc.searchParams.set('digest', sha256(blob));
  const put = await request(loc.href, { method: 'PUT', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(put.status, 201, put.text);
  return sha256(blob);
}

async function pushImage(repo: string, tag: string, files: Record<string, string>, o: { oci?: boolean; architecture?: string } = {}) {
  const layer = gzipLayer(tarOf(files), o.oci);
  await upload(repo, layer.blob);
  const config = imageConfig([layer], o);
  await upload(repo, config);
  const manifest = manifestOf(config, [layer], o.oci);
  const put = await request(v2(`${repo}/manifests/${tag}`), { method: 'PUT', body: manifest, headers: { 'Content-Type': o.oci ? ociManifest : dockerManifest } });
  assert.equal(put.status, 201, put.text);
  return { manifest, digest: sha256(manifest), config, layer };
}

/** Lists files under the registry root, to prove bad input stored nothing. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name).slice(dir.length));
    }
  };
  try {
    walk(dir);
  } catch {
    // no root yet
  }
  return out.sort();
}

before(async () => {
  base = mkdtempSync('/tmp/berth-it-registry-api-');
  reg = await startBerthRegistry(base, { config: 'storage:\n  delete:\n    enabled: true\n' });
  readOnlyish = await startBerthRegistry(base, { config: 'log:\n  accesslog:\n    disabled: true\n' });
});
after(async () => {
  await reg?.stop();
  await readOnlyish?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('the base endpoint', () => {
  it('answers 200 with the API version header', async () => {
    const a = await request(`${reg.url}/v2/`);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.equal(a.text, '{}');
  });
});

describe('push and pull', () => {
  it('pushes monolithically (POST ?digest=) and by POST-PUT, and pulls by tag and by digest', async () => {
    const blob = Buffer.from('monolithic blob');
    const post = await request(v2(`mono/blobs/uploads/?digest=${sha256(blob)}`), { method: 'POST', body: blob, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(post.status, 201, post.text);
    assert.equal(post.headers.get('docker-content-digest'), sha256(blob));
    assert.equal(post.headers.get('location'), `${reg.url}/v2/mono/blobs/${sha256(blob)}`);

    const img = await pushImage('team/app', '1.0', { 'hello.txt': 'hello' });
    const byTag = await request(v2('team/app/manifests/1.0'), { headers: { Accept: dockerManifest } });
    assert.equal(byTag.status, 200);
    assert.equal(byTag.headers.get('content-type'), dockerManifest);
    assert.equal(byTag.headers.get('docker-content-digest'), img.digest);
    assert.equal(byTag.text, img.manifest.toString());
    const head = await request(v2(`team/app/manifests/${img.digest}`), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(img.manifest.length));
    assert.equal(head.text, '');
    const blob2 = await request(v2(`team/app/blobs/${sha256(img.config)}`));
    assert.equal(blob2.text, img.config.toString());
    assert.equal(blob2.headers.get('docker-content-digest'), sha256(img.config));
  });

  it('serves byte ranges of a blob, and 416 past its end', async () => {
    const blob = Buffer.from('0123456789abcdef');
    await upload('ranges', blob);
    const part = await request(v2(`ranges/blobs/${sha256(blob)}`), { headers: { Range: 'bytes=4-7' } });
    assert.equal(part.status, 206);
    assert.equal(part.text, '4567');
    assert.equal(part.headers.get('content-range'), `bytes 4-7/${blob.length}`);
    const head = await request(v2(`ranges/blobs/${sha256(blob)}`), { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(blob.length));
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
    const past = await request(v2(`ranges/blobs/${sha256(blob)}`), { headers: { Range: 'bytes=100-' } });
    assert.equal(past.status, 416);
    assert.equal(errorCode(past), 'RANGE_INVALID');
  });

  it('takes chunked PATCHes with Content-Range, answers Range, and refuses an out-of-order chunk with 416', async () => {
    const blob = Buffer.alloc(300_000);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 7) % 251;
    const start = await request(v2('chunks/blobs/uploads/'), { method: 'POST' });
    assert.equal(start.headers.get('range'), '0-0');
    const uuid = start.headers.get('docker-upload-uuid')!;
    let loc = start.headers.get('location')!;
    const chunk = 100_000;
    for (let off = 0; off < blob.length; off += chunk) {
      const body = blob.subarray(off, off + chunk);
      const p = await request(loc, { method: 'PATCH', body, headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${off}-${off + body.length - 1}`, 'Content-Length': String(body.length) } });
      assert.equal(p.status, 202, p.text);
      assert.equal(p.headers.get('range'), `0-${off + body.length - 1}`);
      assert.equal(p.headers.get('docker-upload-uuid'), uuid);
      loc = p.headers.get('location')!;
      if (off === 0) {
        const wrong = await request(loc, { method: 'PATCH', body: Buffer.from('x'), headers: { 'Content-Range': '0-0' } });
        assert.equal(wrong.status, 416);
        assert.equal(wrong.headers.get('range'), `0-${chunk - 1}`);
      }
    }
    const status = await request(loc);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${blob.length - 1}`);
    const done = await request(`${loc}?digest=${sha256(blob)}`, { method: 'PUT' });
    assert.equal(done.status, 201, done.text);
    const back = await fetch(v2(`chunks/blobs/${sha256(blob)}`));
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), blob);
    // the upload is gone once finished
    assert.equal(errorCode(await request(loc)), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('resumes an upload after a dropped connection, from the Range the registry reports', async () => {
    const blob = Buffer.alloc(2_000_000, 0x5a);
    blob.write('start', 0);
    blob.write('end', blob.length - 3);
    const start = await request(v2('resume/blobs/uploads/'), { method: 'POST' });
    const loc = new URL(start.headers.get('location')!);
    // a PATCH that promises the whole blob and dies after half of it
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(reg.port, '127.0.0.1', () => {
        s.write(`PATCH ${loc.pathname} HTTP/1.1\r\nHost: ${reg.host}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${blob.length}\r\n\r\n`);
        s.write(blob.subarray(0, 1_000_000), () => setTimeout(() => (s.destroy(), resolve()), 200));
      });
      s.on('error', reject);
    });
    let held = 0;
    for (let i = 0; i < 100; i++) {
      const st = await request(loc.href);
      assert.equal(st.status, 204);
      held = Number(st.headers.get('range')!.split('-')[1]) + 1;
      if (held > 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(held > 0 && held <= 1_000_000, `held ${held}`);
    const rest = blob.subarray(held);
    const p = await request(loc.href, { method: 'PATCH', body: rest, headers: { 'Content-Range': `${held}-${blob.length - 1}` } });
    assert.equal(p.status, 202, p.text);
    const put = await request(`${loc.href}?digest=${sha256(blob)}`, { method: 'PUT' });
    assert.equal(put.status, 201, put.text);
    const head = await request(v2(`resume/blobs/${sha256(blob)}`), { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(blob.length));
  });

  it('mounts a blob from another repository (201), and starts an upload when it cannot (202)', async () => {
    const blob = Buffer.from('mount me');
    await upload('source/repo', blob);
    const m = await request(v2(`target/repo/blobs/uploads/?mount=${sha256(blob)}&from=source/repo`), { method: 'POST' });
    assert.equal(m.status, 201);
    assert.equal(m.headers.get('docker-content-digest'), sha256(blob));
    assert.equal((await request(v2(`target/repo/blobs/${sha256(blob)}`))).text, 'mount me');
    const miss = await request(v2(`target/repo/blobs/uploads/?mount=${sha256('absent')}&from=source/repo`), { method: 'POST' });
    assert.equal(miss.status, 202);
    assert.ok(miss.headers.get('location'));
    // a source that cannot be a repository: no mount, an upload instead
    assert.equal((await request(v2(`target/repo/blobs/uploads/?mount=${sha256(blob)}&from=../source`), { method: 'POST' })).status, 202);
  });

  it('stores an OCI index and an artifact with a subject, and lists referrers with the artifactType filter', async () => {
    const amd = await pushImage('multi', 'amd64', { a: 'amd64' }, { oci: true, architecture: 'amd64' });
    const arm = await pushImage('multi', 'arm64', { a: 'arm64' }, { oci: true, architecture: 'arm64' });
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: ociIndex,
      manifests: [
        { mediaType: ociManifest, digest: amd.digest, size: amd.manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: ociManifest, digest: arm.digest, size: arm.manifest.length, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    }));
    const put = await request(v2('multi/manifests/latest'), { method: 'PUT', body: index, headers: { 'Content-Type': ociIndex } });
    assert.equal(put.status, 201, put.text);
    assert.equal((await request(v2('multi/manifests/latest'))).headers.get('content-type'), ociIndex);

    const empty = Buffer.from('{}');
    await upload('multi', empty);
    const sbom = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
    await upload('multi', sbom);
    const artifact = (type: string, layer: Buffer) =>
      Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: ociManifest,
        artifactType: type,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
        layers: [{ mediaType: 'application/spdx+json', digest: sha256(layer), size: layer.length }],
        subject: { mediaType: ociIndex, digest: sha256(index), size: index.length },
        annotations: { 'org.example.kind': type },
      }));
    const a1 = artifact('application/vnd.example.sbom', sbom);
    const a2 = artifact('application/vnd.example.signature', sbom);
    for (const a of [a1, a2]) {
      const r = await request(v2(`multi/manifests/${sha256(a)}`), { method: 'PUT', body: a, headers: { 'Content-Type': ociManifest } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('oci-subject'), sha256(index));
    }
    const all = await request(v2(`multi/referrers/${sha256(index)}`));
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('content-type'), ociIndex);
    const list = all.json<{ manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string> }> }>();
    assert.deepEqual(list.manifests.map((m) => m.digest).sort(), [sha256(a1), sha256(a2)].sort());
    assert.equal(list.manifests.find((m) => m.digest === sha256(a1))!.annotations['org.example.kind'], 'application/vnd.example.sbom');
    const filtered = await request(v2(`multi/referrers/${sha256(index)}?artifactType=application/vnd.example.signature`));
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(filtered.json<{ manifests: Array<{ digest: string }> }>().manifests.map((m) => m.digest), [sha256(a2)]);
    const none = await request(v2(`multi/referrers/${sha256('nothing')}`));
    assert.equal(none.status, 200);
    assert.deepEqual(none.json<{ manifests: unknown[] }>().manifests, []);
  });
});

describe('listing', () => {
  it('pages tags with n and last, with a Link to the next page', async () => {
    const img = await pushImage('paged', 'a', { f: 'x' });
    for (const t of ['b', 'c', 'd', 'e']) {
      const r = await request(v2(`paged/manifests/${t}`), { method: 'PUT', body: img.manifest, headers: { 'Content-Type': dockerManifest } });
      assert.equal(r.status, 201);
    }
    const p1 = await request(v2('paged/tags/list?n=2'));
    assert.deepEqual(p1.json(), { name: 'paged', tags: ['a', 'b'] });
    assert.equal(p1.headers.get('link'), '</v2/paged/tags/list?last=b&n=2>; rel="next"');
    const p2 = await request(`${reg.url}/v2/paged/tags/list?last=b&n=2`);
    assert.deepEqual(p2.json<{ tags: string[] }>().tags, ['c', 'd']);
    const p3 = await request(`${reg.url}/v2/paged/tags/list?last=d&n=2`);
    assert.deepEqual(p3.json<{ tags: string[] }>().tags, ['e']);
    assert.equal(p3.headers.get('link'), null);
    assert.equal(errorCode(await request(v2('paged/tags/list?n=x'))), 'PAGINATION_NUMBER_INVALID');
    assert.equal(errorCode(await request(v2('nosuch/tags/list'))), 'NAME_UNKNOWN');
  });

  it('pages the catalog', async () => {
    const all = (await request(`${reg.url}/v2/_catalog`)).json<{ repositories: string[] }>().repositories;
    assert.ok(all.includes('team/app') && all.includes('paged'), all.join());
    assert.deepEqual([...all].sort(), all);
    const first = await request(`${reg.url}/v2/_catalog?n=1`);
    assert.deepEqual(first.json<{ repositories: string[] }>().repositories, [all[0]]);
    assert.equal(first.headers.get('link'), `</v2/_catalog?last=${encodeURIComponent(all[0])}&n=1>; rel="next"`);
  });
});

describe('delete', () => {
  it('deletes a tag, a manifest (with its tags) and a blob link when enabled', async () => {
    const img = await pushImage('del', 'one', { f: 'delete me' });
    await request(v2('del/manifests/two'), { method: 'PUT', body: img.manifest, headers: { 'Content-Type': dockerManifest } });
    assert.equal((await request(v2('del/manifests/one'), { method: 'DELETE' })).status, 202);
    assert.equal(errorCode(await request(v2('del/manifests/one'))), 'MANIFEST_UNKNOWN');
    assert.equal((await request(v2('del/manifests/two'))).status, 200);
    assert.equal((await request(v2(`del/manifests/${img.digest}`), { method: 'DELETE' })).status, 202);
    assert.equal(errorCode(await request(v2('del/manifests/two'))), 'MANIFEST_UNKNOWN');
    assert.deepEqual((await request(v2('del/tags/list'))).json<{ tags: string[] }>().tags, []);
    const layer = sha256(img.layer.blob);
    assert.equal((await request(v2(`del/blobs/${layer}`), { method: 'DELETE' })).status, 202);
    assert.equal(errorCode(await request(v2(`del/blobs/${layer}`))), 'BLOB_UNKNOWN');
    assert.equal(errorCode(await request(v2(`del/manifests/${img.digest}`), { method: 'DELETE' })), 'MANIFEST_UNKNOWN');
  });

  it('refuses deletes with 405 UNSUPPORTED when storage.delete is not enabled', async () => {
    const blob = Buffer.from('keep');
    const start = await request(`${readOnlyish.url}/v2/keep/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
    assert.equal(start.status, 201);
    const del = await request(`${readOnlyish.url}/v2/keep/blobs/${sha256(blob)}`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(errorCode(del), 'UNSUPPORTED');
  });
});

describe('bad input leaves nothing behind', () => {
  it('a manifest naming missing blobs: MANIFEST_BLOB_UNKNOWN, no tag, no revision', async () => {
    const layer = gzipLayer(tarOf({ f: 'never uploaded' }));
    const config = imageConfig([layer]);
    await upload('bad/missing', config);
    const before = files(reg.root).filter((f) => f.includes('_manifests'));
    const put = await request(v2('bad/missing/manifests/1'), { method: 'PUT', body: manifestOf(config, [layer]), headers: { 'Content-Type': dockerManifest } });
    assert.equal(put.status, 400);
    assert.equal(errorCode(put), 'MANIFEST_BLOB_UNKNOWN');
    assert.deepEqual(files(reg.root).filter((f) => f.includes('_manifests')), before);
    assert.equal(errorCode(await request(v2('bad/missing/manifests/1'))), 'MANIFEST_UNKNOWN');
  });

  it('a manifest that is not one: MANIFEST_INVALID', async () => {
    for (const [body, type] of [
      ['{not json', dockerManifest],
      [JSON.stringify({ schemaVersion: 1, name: 'bad/invalid', tag: '1', fsLayers: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws'],
      [JSON.stringify({ schemaVersion: 2, mediaType: ociManifest, config: { mediaType: 'x', digest: 'sha256:nothex', size: 1 }, layers: [] }), ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: ociIndex, manifests: [] }), ociManifest],
    ]) {
      const put = await request(v2('bad/invalid/manifests/1'), { method: 'PUT', body, headers: { 'Content-Type': type } });
      assert.equal(put.status, 400, body);
      assert.equal(errorCode(put), 'MANIFEST_INVALID', body);
    }
    assert.equal(errorCode(await request(v2('bad/invalid/tags/list'))), 'NAME_UNKNOWN');
  });

  it('a digest mismatch: DIGEST_INVALID, and neither blob stored', async () => {
    const blob = Buffer.from('real content');
    const claimed = sha256('claimed content');
    const put = await request(v2(`bad/digest/blobs/uploads/?digest=${claimed}`), { method: 'POST', body: blob });
    assert.equal(put.status, 400);
    assert.equal(errorCode(put), 'DIGEST_INVALID');
    for (const d of [claimed, sha256(blob)]) assert.equal(errorCode(await request(v2(`bad/digest/blobs/${d}`))), 'BLOB_UNKNOWN');
    assert.ok(!files(reg.root).some((f) => f.includes(claimed.slice(7)) || f.includes(sha256(blob).slice(7))));
    const m = await pushImage('bad/digest', 'x', { f: 'y' });
    const wrong = await request(v2(`bad/digest/manifests/${sha256('other')}`), { method: 'PUT', body: m.manifest, headers: { 'Content-Type': dockerManifest } });
    assert.equal(errorCode(wrong), 'DIGEST_INVALID');
  });

  it('a truncated upload: the connection closes early and the blob never appears', async () => {
    const blob = Buffer.alloc(500_000, 1);
    const start = await request(v2('bad/truncated/blobs/uploads/'), { method: 'POST' });
    const loc = new URL(start.headers.get('location')!);
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(reg.port, '127.0.0.1', () => {
        s.write(`PUT ${loc.pathname}?digest=${sha256(blob)} HTTP/1.1\r\nHost: ${reg.host}\r\nContent-Length: ${blob.length}\r\n\r\n`);
        s.write(blob.subarray(0, 100_000), () => setTimeout(() => (s.destroy(), resolve()), 100));
      });
      s.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(errorCode(await request(v2(`bad/truncated/blobs/${sha256(blob)}`))), 'BLOB_UNKNOWN');
    // finishing it with a short last chunk: the content does not hash to the digest
    const short = await request(`${loc.href}?digest=${sha256(blob)}`, { method: 'PUT', body: blob.subarray(0, 10) });
    assert.equal(short.status, 400);
    assert.equal(errorCode(await request(v2(`bad/truncated/blobs/${sha256(blob)}`))), 'BLOB_UNKNOWN');
  });

  it('an oversized manifest (> 4 MiB): 413, nothing stored', async () => {
    const big = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: ociManifest, config: { mediaType: 'x', digest: sha256('x'), size: 1 }, layers: [], annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } }));
    const put = await request(v2('bad/big/manifests/1'), { method: 'PUT', body: big, headers: { 'Content-Type': ociManifest } });
    assert.equal(put.status, 413);
    assert.equal(errorCode(put), 'SIZE_INVALID');
    assert.equal(errorCode(await request(v2('bad/big/tags/list'))), 'NAME_UNKNOWN');
  });

  it('path traversal and invalid references: NAME_INVALID, TAG_INVALID, DIGEST_INVALID, and no file outside the root', async () => {
    const raw = (path: string, method = 'GET') =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const s = net.connect(reg.port, '127.0.0.1', () => s.end(`${method} ${path} HTTP/1.1\r\nHost: ${reg.host}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`));
        let out = '';
        s.on('data', (d) => (out += d.toString()));
        s.on('end', () => resolve({ status: Number(out.split(' ')[1]), body: out.slice(out.indexOf('\r\n\r\n') + 4) }));
        s.on('error', reject);
      });
    for (const p of ['/v2/../../etc/passwd/tags/list', '/v2/a/../../../tmp/x/manifests/latest', '/v2/%2e%2e/%2e%2e/x/blobs/uploads/', '/v2/UPPER/tags/list']) {
      const r = await raw(p, p.endsWith('uploads/') ? 'POST' : 'GET');
      assert.equal(r.status, 400, p);
      assert.match(r.body, /"NAME_INVALID"/, p);
    }
    assert.equal(errorCode(await request(v2('a/manifests/bad%20tag'))), 'TAG_INVALID');
    assert.equal(errorCode(await request(v2('a/blobs/sha256:1234'))), 'DIGEST_INVALID');
    assert.equal(errorCode(await request(v2('a/blobs/uploads/not-a-uuid'))), 'BLOB_UPLOAD_UNKNOWN');
    assert.ok(!files(reg.root).some((f) => f.includes('..') || f.includes('etc')));
  });
});

describe('hostile layers', () => {
  it('stores every archive of the attack catalogue byte for byte and never unpacks one', async () => {
    const outside = join(base, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret'), 'untouched');
    let n = 0;
    for (const attack of tarAttacks) {
      const tar = await attack.build(outside);
      const layer = { blob: gzipSync(tar), diffId: sha256(tar), mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' };
      await upload('attacks/layers', layer.blob);
      const config = imageConfig([layer], { cmd: [attack.name] });
      await upload('attacks/layers', config);
      const put = await request(v2(`attacks/layers/manifests/${n++}`), { method: 'PUT', body: manifestOf(config, [layer]), headers: { 'Content-Type': dockerManifest } });
      assert.equal(put.status, 201, attack.name);
      const back = Buffer.from(await (await fetch(v2(`attacks/layers/blobs/${sha256(layer.blob)}`))).arrayBuffer());
      assert.ok(back.equals(layer.blob), attack.name);
    }
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'untouched');
    assert.ok(files(reg.root).every((f) => f.startsWith('/docker/registry/v2/') || f === '/.health'), files(reg.root).filter((f) => !f.startsWith('/docker/')).join());
  });
});

describe('concurrent pushes', () => {
  it('of the same blob to several repositories store it once, whole', async () => {
    const blob = Buffer.alloc(3_000_000);
    for (let i = 0; i < blob.length; i += 4) blob.writeUInt32LE(i, i);
    await Promise.all(['c1', 'c2', 'c3', 'c4', 'c1'].map((r) => upload(`conc/${r}`, blob)));
    for (const r of ['c1', 'c2', 'c3', 'c4']) {
      const got = Buffer.from(await (await fetch(v2(`conc/${r}/blobs/${sha256(blob)}`))).arrayBuffer());
      assert.equal(sha256(got), sha256(blob));
    }
    assert.equal(files(reg.root).filter((f) => f.includes(`/blobs/sha256/`) && f.includes(sha256(blob).slice(7)) && f.endsWith('/data')).length, 1);
  });
});
