// Bad registries: a small fake registry in this process serves wrong digests, truncated
// downloads, unknown manifest types, 401s and malicious layers (src/archive's attack catalog).
// After every failure nothing may be left in the layer store, the image store or the temp dir,
// and nothing may be written outside a layer.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarAttacks } from '../../fixtures/tar-attacks.ts';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { gzipLayer, imageConfig, manifestOf, sha256, tarOf, type BuiltLayer } from './registry-helpers.ts';

let d: TestDaemon;
let server: http.Server;
let host: string;
type BlobHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const manifests = new Map<string, { body: Buffer; type: string; status?: number }>();
const blobs = new Map<string, Buffer | BlobHandler>();

const berth = (args: string[]) => d.berthAsync(args);

function serveImage(repo: string, layers: BuiltLayer[], o: { served?: Map<string, Buffer | BlobHandler>; contentType?: string } = {}): void {
  const config = imageConfig(layers);
  blobs.set(sha256(config), config);
  for (const l of layers) blobs.set(sha256(l.blob), o.served?.get(sha256(l.blob)) ?? l.blob);
  manifests.set(`${repo}:latest`, { body: manifestOf(config, layers), type: o.contentType ?? 'application/vnd.docker.distribution.manifest.v2+json' });
}

function snapshot(): Record<string, string[]> {
  const ls = (p: string) => {
    try {
      return readdirSync(join(d.dataRoot, p)).filter((n) => n !== 'l').sort();
    } catch {
      return [];
    }
  };
  return { layers: ls('image/overlay2/layerdb/sha256'), overlay: ls('overlay2'), images: ls('image/overlay2/imagedb/content/sha256'), tmp: ls('tmp').filter((n) => n.startsWith('pull-')) };
}

before(async () => {
  d = await startDaemon();
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v2/') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m && m[2] === 'manifests') {
      const found = manifests.get(`${m[1]}:${m[3]}`);
      if (found?.status) return void res.writeHead(found.status, { 'Content-Type': 'application/json' }).end(found.body);
      if (!found) return void res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
      return void res.writeHead(200, { 'Content-Type': found.type, 'Content-Length': found.body.length, 'Docker-Content-Digest': sha256(found.body) }).end(req.method === 'HEAD' ? undefined : found.body);
    }
    if (m && m[2] === 'blobs') {
      const b = blobs.get(m[3]);
      if (!b) return void res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
      if (typeof b === 'function') return b(req, res);
      return void res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': b.length }).end(req.method === 'HEAD' ? undefined : b);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  assert.equal((await berth(['pull', 'busybox'])).code, 0);
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await d?.cleanup();
});

describe('pulling from a bad registry', () => {
  it('a digest mismatch fails the pull and stores nothing', async () => {
    const good = gzipLayer(tarOf({ 'a.txt': 'the real content\n' }));
    const evil = gzipSync(tarOf({ 'a.txt': 'something else!!\n' }));
    serveImage('bad/digest', [good], { served: new Map([[sha256(good.blob), evil]]) });
    const before = snapshot();
    const r = await berth(['pull', `${host}/bad/digest`]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`filesystem layer verification failed for digest ${sha256(good.blob)}`));
    assert.deepEqual(snapshot(), before);
  });

  it('a second layer failing removes the first one too', async () => {
    const first = gzipLayer(tarOf({ 'one.txt': '1\n' }));
    const second = gzipLayer(tarOf({ 'two.txt': '2\n' }));
    serveImage('bad/second', [first, second], { served: new Map([[sha256(second.blob), gzipSync(tarOf({ 'two.txt': 'X\n' }))]]) });
    const before = snapshot();
    const r = await berth(['pull', `${host}/bad/second`]);
    assert.equal(r.code, 1);
    assert.deepEqual(snapshot(), before);
  });

  it('a truncated download is retried; one that always breaks fails cleanly', async () => {
    const big = gzipLayer(tarOf({ 'big.bin': randomBytes(2 * 1024 * 1024) }));
    let breaks = 1;
    const truncating: BlobHandler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': big.blob.length });
      if (breaks-- > 0) {
        res.write(big.blob.subarray(0, big.blob.length >> 1), () => res.destroy());
      } else res.end(big.blob);
    };
    serveImage('bad/truncated', [big], { served: new Map([[sha256(big.blob), truncating]]) });
    const ok = await berth(['pull', `${host}/bad/truncated`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Retrying in \d+ seconds?/);
    assert.match(ok.stdout, /Pull complete/);
    assert.equal((await berth(['rmi', `${host}/bad/truncated`])).code, 0);
    const before = snapshot();
    breaks = 1000;
    const failed = await berth(['pull', `${host}/bad/truncated`]);
    assert.equal(failed.code, 1);
    assert.deepEqual(snapshot(), before);
    breaks = 0;
    const again = await berth(['pull', `${host}/bad/truncated`]);
    assert.equal(again.code, 0, again.stderr);
  });

  it('an unknown manifest media type is a clear error', async () => {
    manifests.set('bad/mediatype:latest', { body: Buffer.from('{"schemaVersion":2}'), type: 'application/vnd.example.unknown+json' });
    const r = await berth(['pull', `${host}/bad/mediatype`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: unsupported manifest media type and no default available: application/vnd.example.unknown+json\n');
  });

  it('401 gives docker\'s unauthorized message', async () => {
    manifests.set('bad/auth:latest', { status: 401, body: Buffer.from(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] })), type: '' });
    const r = await berth(['pull', `${host}/bad/auth`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: unauthorized: authentication required\n');
    const api = await d.api('POST', `/images/create?fromImage=${host}/bad/auth&tag=latest`);
    assert.equal(api.status, 401);
  });

  it('malicious layers write nothing outside their layer', async () => {
    const outside = join(d.base, 'outside-sentinel');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret'), 'secret\n');
    let i = 0;
    for (const attack of tarAttacks) {
      const tar = await attack.build(outside);
      const layer: BuiltLayer = { blob: tar, diffId: sha256(tar), mediaType: 'application/vnd.oci.image.layer.v1.tar' };
      const repo = `attack/n${i++}`;
      serveImage(repo, [layer]);
      const before = snapshot();
      const r = await berth(['pull', `${host}/${repo}`]);
      if (attack.expect === 'error') {
        assert.equal(r.code, 1, `${attack.name}: the pull should fail`);
        assert.deepEqual(snapshot(), before, attack.name);
      }
      assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'secret\n', attack.name);
      assert.deepEqual(readdirSync(outside), ['secret'], attack.name);
      assert.equal(statSync(join(outside, 'secret')).mode & 0o777, 0o644, attack.name);
    }
    // nothing named "escaped" anywhere but inside a layer's own diff directory
    const stray: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.name === 'escaped' && !/\/overlay2\/[0-9a-f]{64}\/diff\//.test(p)) stray.push(p);
        if (e.isDirectory() && !e.isSymbolicLink() && !p.endsWith('/merged')) walk(p);
      }
    };
    walk(d.base);
    assert.deepEqual(stray, []);
  });
});
