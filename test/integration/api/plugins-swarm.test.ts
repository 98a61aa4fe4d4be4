// Plugins and swarm mode, which Berth does not provide, answered as third-party clients expect:
// an empty plugin list and dockerd's "not found" for any named plugin, 501 for installing one;
// dockerd's answers of a node that is in no swarm for /swarm, /nodes, /services, /tasks,
// /secrets and /configs. Every status and message here is dockerd 20.10's unless noted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;

before(async () => {
  d = await startDaemon();
});
after(async () => {
  await d?.cleanup();
});

const noManager = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const r = await d.api(method, path, body);
  return { status: r.status, body: r.body ? JSON.parse(r.body) : undefined };
}

describe('plugins', () => {
  it('lists none, with dockerd\'s filters checked', async () => {
    assert.deepEqual(await call('GET', '/plugins'), { status: 200, body: [] });
    assert.deepEqual(await call('GET', '/v1.41/plugins?filters=' + encodeURIComponent('{"enabled":["true"],"capability":["volumedriver"]}')), { status: 200, body: [] });
    assert.deepEqual(await call('GET', '/plugins?filters=' + encodeURIComponent('{"foo":["x"]}')), { status: 400, body: { message: "Invalid filter 'foo'" } });
    assert.deepEqual(await call('GET', '/plugins?filters=' + encodeURIComponent('{"enabled":["x"]}')), { status: 400, body: { message: "Invalid filter 'enabled=[x]'" } });
  });

  it('knows no plugin by any name', async () => {
    const notFound = (name: string) => ({ status: 404, body: { message: `plugin "${name}" not found` } });
    assert.deepEqual(await call('GET', '/plugins/sshfs/json'), notFound('sshfs'));
    assert.deepEqual(await call('GET', '/plugins/vieux/sshfs:latest/json'), notFound('vieux/sshfs:latest'));
    assert.deepEqual(await call('DELETE', '/plugins/vieux/sshfs?force=1'), notFound('vieux/sshfs'));
    assert.deepEqual(await call('POST', '/plugins/sshfs/enable?timeout=5'), notFound('sshfs'));
    assert.deepEqual(await call('POST', '/plugins/sshfs/disable'), notFound('sshfs'));
    assert.deepEqual(await call('POST', '/plugins/sshfs/push'), notFound('sshfs'));
    assert.deepEqual(await call('POST', '/plugins/sshfs/set', ['DEBUG=1']), notFound('sshfs'));
    // upgrade looks the plugin up with its default tag
    assert.deepEqual(await call('POST', '/plugins/sshfs/upgrade?remote=vieux/sshfs', []), notFound('sshfs:latest'));
    assert.deepEqual(await call('POST', `/plugins/sshfs@sha256:${'a'.repeat(64)}/upgrade?remote=vieux/sshfs`, []), { status: 400, body: { message: 'cannot use digest in plugin tag' } });
    // Berth: a timeout that is no number is a 400 (dockerd: 500 with Go's strconv error)
    assert.equal((await call('POST', '/plugins/sshfs/enable?timeout=abc')).status, 400);
  });

  it('grants no privileges and refuses to install a plugin', async () => {
    // dockerd answers [] too when it cannot fetch the plugin; Berth never installs one
    assert.deepEqual(await call('GET', '/plugins/privileges?remote=vieux/sshfs'), { status: 200, body: [] });
    // Berth: a bad remote is a 400 (dockerd: 500 with the same text)
    assert.deepEqual(await call('GET', '/plugins/privileges?remote=a:b:c'), { status: 400, body: { message: 'invalid reference format' } });
    assert.deepEqual(await call('POST', '/plugins/pull?remote=vieux/sshfs&name=sshfs', []), { status: 501, body: { message: 'plugins are not supported by Berth' } });
    assert.deepEqual(await call('POST', '/plugins/create?name=myplugin', 'not a tar'), { status: 501, body: { message: 'plugins are not supported by Berth' } });
    assert.deepEqual((await call('GET', '/plugins')).body, []);
  });
});

describe('swarm mode', () => {
  it('answers the listings and lookups as a node that is no swarm manager', async () => {
    for (const path of ['/swarm', '/swarm/unlockkey', '/nodes', '/nodes/n1', '/services', '/services/s1', '/tasks', '/tasks/t1', '/secrets', '/secrets/x', '/configs', '/configs/x', '/v1.24/swarm']) {
      assert.deepEqual(await call('GET', path), { status: 503, body: { message: noManager } }, path);
    }
    for (const path of ['/services/s1/logs?stdout=1', '/tasks/t1/logs?stderr=1']) assert.deepEqual(await call('GET', path), { status: 503, body: { message: noManager } }, path);
    assert.deepEqual(await call('GET', '/services/s1/logs'), { status: 400, body: { message: 'Bad parameters: you must choose at least one stream' } });
    assert.deepEqual(await call('GET', '/swarm/nosuch'), { status: 404, body: { message: 'page not found' } });
  });

  it('refuses changes with dockerd\'s checks first', async () => {
    for (const [method, path] of [
      ['POST', '/services/create'],
      ['DELETE', '/services/s1'],
      ['DELETE', '/nodes/n1'],
      ['POST', '/secrets/create'],
      ['DELETE', '/secrets/x'],
      ['POST', '/configs/create'],
      ['DELETE', '/configs/x'],
      ['POST', '/swarm/unlock'],
      ['POST', '/swarm/update?version=3'],
      ['POST', '/services/s1/update?version=3'],
      ['POST', '/nodes/n1/update?version=3'],
      ['POST', '/secrets/x/update?version=3'],
      ['POST', '/configs/x/update?version=3'],
    ]) {
      assert.deepEqual(await call(method, path, method === 'POST' ? {} : undefined), { status: 503, body: { message: noManager } }, `${method} ${path}`);
    }
    assert.deepEqual(await call('POST', '/swarm/leave'), { status: 503, body: { message: 'This node is not part of a swarm' } });
    assert.deepEqual(await call('POST', '/swarm/update', {}), { status: 400, body: { message: `invalid swarm version '': strconv.ParseUint: parsing "": invalid syntax` } });
    assert.deepEqual(await call('POST', '/services/s1/update?version=x', {}), { status: 400, body: { message: `invalid service version 'x': strconv.ParseUint: parsing "x": invalid syntax` } });
    assert.deepEqual(await call('POST', '/secrets/x/update', {}), { status: 400, body: { message: 'invalid secret version' } });
    assert.equal((await call('POST', '/services/create', 'notjson')).status, 400);
    // Berth cannot become a swarm member at all
    assert.deepEqual(await call('POST', '/swarm/init', { ListenAddr: '127.0.0.1:2377' }), { status: 501, body: { message: 'swarm mode is not supported by Berth' } });
    assert.deepEqual(await call('POST', '/swarm/join', { RemoteAddrs: ['127.0.0.1:2377'] }), { status: 501, body: { message: 'swarm mode is not supported by Berth' } });
  });

  it('reports the node inactive in /info', async () => {
    const info = (await call('GET', '/info')).body as { Swarm: Record<string, unknown> };
    assert.deepEqual(info.Swarm, { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null });
  });
});
