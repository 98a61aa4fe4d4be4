// berthd runs Berth's registry itself when daemon.json has a `registry` section: one install
// gives both. The registry answers while berthd runs, takes a push from berth, and stops with it.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { freePort } from '../distribution/registry-helpers.ts';
import { request } from './helpers.ts';

let d: TestDaemon;
let port = 0;

before(async () => {
  port = await freePort();
  const base = `/tmp/berth-it-registry-section-${process.pid}`;
  const config = join(base, 'registry.yml');
  mkdirSync(base, { recursive: true });
  writeFileSync(config, 'storage:\n  delete:\n    enabled: true\nui:\n  title: In berthd\n');
  d = await startDaemon({ config: { registry: { addr: `127.0.0.1:${port}`, root: join(base, 'root'), config } } });
});
after(async () => {
  await d?.cleanup();
  rmSync(`/tmp/berth-it-registry-section-${process.pid}`, { recursive: true, force: true });
});

describe("berthd's registry section", () => {
  it('serves the registry, with its config file, beside the Engine API', async () => {
    const base = await request(`http://127.0.0.1:${port}/v2/`);
    assert.equal(base.status, 200);
    assert.equal(base.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.match((await request(`http://127.0.0.1:${port}/ui/config.json`)).text, /"title":"In berthd","deleteEnabled":true/);
    assert.equal(d.berth(['pull', 'busybox']).code, 0);
    assert.equal(d.berth(['tag', 'busybox', `127.0.0.1:${port}/own/busybox:1`]).code, 0);
    const push = await d.berthAsync(['push', `127.0.0.1:${port}/own/busybox:1`]);
    assert.equal(push.code, 0, push.stderr);
    assert.deepEqual((await request(`http://127.0.0.1:${port}/v2/own/busybox/tags/list`)).json(), { name: 'own/busybox', tags: ['1'] });
  });

  it('stops with berthd', async () => {
    await d.stop();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/v2/`));
  });
});
