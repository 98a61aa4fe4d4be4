// The pull-through cache: `berth registry serve` with proxy.remoteurl in front of Debian's
// docker-registry (htpasswd auth, credentials in proxy.username/password), used by berthd's
// registry-mirrors for docker.io images, and serving its cache when the upstream is gone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxRootfsTar, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { freePort, startRegistry, type RunningRegistry } from '../distribution/registry-helpers.ts';
import { errorCode, request, startBerthRegistry, type BerthRegistry } from './helpers.ts';

let d: TestDaemon;
let upstream: RunningRegistry;
let mirror: BerthRegistry;
let proxyPort = 0;

const ok = async (args: string[], input?: string) => {
  const r = await d.berthAsync(args, input !== undefined ? { input } : {});
  assert.equal(r.code, 0, `berth ${args.join(' ')} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

before(async () => {
  // the mirror's port must be known before berthd starts (daemon.json registry-mirrors)
  proxyPort = await freePort();
  d = await startDaemon({ config: { 'registry-mirrors': [`http://127.0.0.1:${proxyPort}`] } });
  upstream = await startRegistry(d.base, { kind: 'htpasswd', user: 'mirror', password: 'mirror-pw' });
  mirror = await startBerthRegistry(d.base, {
    name: 'mirror',
    config: `proxy:\n  remoteurl: http://${upstream.host}\n  username: mirror\n  password: mirror-pw\n`,
    port: proxyPort,
  });
  // an image upstream: library/busybox, as Docker Hub would have it
  const tar = busyboxRootfsTar(d.base);
  await ok(['import', '-c', 'CMD ["sh"]', tar, `${upstream.host}/library/busybox:latest`]);
  await ok(['login', '-u', 'mirror', '--password-stdin', upstream.host], 'mirror-pw');
  await ok(['push', `${upstream.host}/library/busybox:latest`]);
  await ok(['rmi', `${upstream.host}/library/busybox:latest`]);
});
after(async () => {
  await mirror?.stop();
  await upstream?.stop();
  await d?.cleanup();
});

describe('a pull-through mirror', () => {
  it("serves docker.io images to berthd's registry-mirrors from the upstream, caching them", async () => {
    const out = await ok(['pull', 'busybox']);
    assert.match(out, /Pull complete/);
    assert.match(out, /Status: Downloaded newer image for busybox:latest/);
    assert.equal(await ok(['run', '--rm', 'busybox', 'echo', 'mirrored']), 'mirrored\n');
    // the cache holds the layer now
    const blobs = readdirSync(join(mirror.root, 'docker/registry/v2/blobs/sha256'));
    assert.ok(blobs.length >= 3, blobs.join());
    const tags = await request(`${mirror.url}/v2/library/busybox/tags/list`);
    assert.deepEqual(tags.json<{ tags: string[] }>().tags, ['latest']);
  });

  it('refuses pushes and deletes (405 UNSUPPORTED)', async () => {
    const push = await request(`${mirror.url}/v2/library/busybox/blobs/uploads/`, { method: 'POST' });
    assert.equal(push.status, 405);
    assert.equal(errorCode(push), 'UNSUPPORTED');
    const m = await request(`${mirror.url}/v2/library/busybox/manifests/latest`, { method: 'DELETE' });
    assert.equal(m.status, 405);
  });

  it('answers what the upstream lacks as not found', async () => {
    const missing = await request(`${mirror.url}/v2/library/nothing/manifests/latest`);
    assert.equal(missing.status, 404);
    assert.match(errorCode(missing) ?? '', /MANIFEST_UNKNOWN|NAME_UNKNOWN/);
  });

  it('serves from its cache when the upstream is gone', async () => {
    await upstream.stop();
    await ok(['rmi', 'busybox']);
    const out = await ok(['pull', 'busybox']);
    assert.match(out, /Status: Downloaded newer image for busybox:latest/);
    const skopeo = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${mirror.host}/library/busybox:latest`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(skopeo.status, 0, skopeo.stderr);
    assert.match(mirror.logs(), /upstream unreachable, serving the cached manifest/);
  });
});

describe('a mirror with wrong upstream credentials', () => {
  it('reports the upstream refusal instead of content', async () => {
    const up = await startRegistry(d.base, { kind: 'htpasswd', user: 'mirror', password: 'right' });
    const bad = await startBerthRegistry(d.base, { name: 'bad-mirror', config: `proxy:\n  remoteurl: http://${up.host}\n  username: mirror\n  password: wrong\n` });
    try {
      const r = await request(`${bad.url}/v2/library/busybox/manifests/latest`);
      assert.equal(r.status, 502);
      assert.match(r.text, /upstream registry refused the proxy's credentials/);
    } finally {
      await bad.stop();
      await up.stop();
    }
  });
});
