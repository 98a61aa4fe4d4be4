// The Engine API edge: ping, version negotiation, status codes and dockerd's error texts.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

describe('system endpoints', () => {
  it('GET and HEAD /_ping answer OK with the API version header', async () => {
    const get = await d.api('GET', '/_ping');
    assert.equal(get.status, 200);
    assert.equal(get.body, 'OK');
    assert.equal(get.headers['api-version'], '1.43');
    assert.equal(get.headers['ostype'], 'linux');
    const head = await d.api('HEAD', '/_ping');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['api-version'], '1.43');
  });

  it('/version reports the API range', async () => {
    const v = JSON.parse((await d.api('GET', '/v1.43/version')).body);
    assert.equal(v.ApiVersion, '1.43');
    assert.equal(v.MinAPIVersion, '1.24');
    assert.equal(v.Os, 'linux');
    assert.ok(v.Components.some((c: { Name: string }) => c.Name === 'runc'));
  });

  it('/info counts containers and images', async () => {
    const info = JSON.parse((await d.api('GET', '/info')).body);
    assert.equal(info.Images, 1);
    assert.equal(info.Driver, 'overlay2');
    assert.equal(info.DockerRootDir, d.dataRoot);
    assert.equal(typeof info.ContainersRunning, 'number');
  });

  it('serves versioned and unversioned paths, and refuses versions out of range', async () => {
    assert.equal((await d.api('GET', '/containers/json')).status, 200);
    assert.equal((await d.api('GET', '/v1.24/containers/json')).status, 200);
    const old = await d.api('GET', '/v1.12/containers/json');
    assert.equal(old.status, 400);
    assert.match(JSON.parse(old.body).message, /client version 1\.12 is too old\. Minimum supported API version is 1\.24/);
    const newer = await d.api('GET', '/v1.99/containers/json');
    assert.equal(newer.status, 400);
    assert.match(JSON.parse(newer.body).message, /client version 1\.99 is too new\. Maximum supported API version is 1\.43/);
    assert.equal((await d.api('GET', '/nope')).status, 404);
  });

  it('listens on a root-owned socket, mode 0660', () => {
    const st = statSync(d.socket);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.uid, 0);
  });
});

describe('errors', () => {
  it('malformed JSON → 400 naming the problem', async () => {
    const r = await d.api('POST', '/containers/create', '{"Image": "busybox",');
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.body).message, /^invalid JSON: /);
  });

  it('unknown image → 404 "No such image"', async () => {
    const r = await d.api('POST', '/containers/create', { Image: 'nosuch:1', Cmd: ['true'] });
    assert.equal(r.status, 404);
    assert.deepEqual(JSON.parse(r.body), { message: 'No such image: nosuch:1' });
  });

  it('unknown container → 404 "No such container"', async () => {
    for (const [method, path] of [
      ['GET', '/containers/ghost/json'],
      ['POST', '/containers/ghost/start'],
      ['POST', '/containers/ghost/stop'],
      ['DELETE', '/containers/ghost'],
      ['POST', '/containers/ghost/wait'],
    ]) {
      const r = await d.api(method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(JSON.parse(r.body).message, 'No such container: ghost');
    }
  });

  it('name conflict → 409 with dockerd\'s text', async () => {
    const first = await d.api('POST', '/containers/create?name=dup', { Image: 'busybox', Cmd: ['true'] });
    assert.equal(first.status, 201);
    const id = JSON.parse(first.body).Id;
    const second = await d.api('POST', '/containers/create?name=dup', { Image: 'busybox', Cmd: ['true'] });
    assert.equal(second.status, 409);
    assert.equal(
      JSON.parse(second.body).message,
      `Conflict. The container name "/dup" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
  });

  it('invalid names and missing commands → 400', async () => {
    const bad = await d.api('POST', '/containers/create?name=' + encodeURIComponent('bad name'), { Image: 'busybox', Cmd: ['true'] });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /Invalid container name \(bad name\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/);
  });

  it('starting a started container → 304; stopping a stopped one → 304', async () => {
    const c = JSON.parse((await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['sleep', '30'] })).body).Id;
    assert.equal((await d.api('POST', `/containers/${c}/start`)).status, 204);
    assert.equal((await d.api('POST', `/containers/${c}/start`)).status, 304);
    assert.equal((await d.api('POST', `/containers/${c}/stop?t=0`)).status, 204);
    assert.equal((await d.api('POST', `/containers/${c}/stop`)).status, 304);
  });

  it('wait conditions: not-running returns at once for a stopped container', async () => {
    const c = JSON.parse((await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'] })).body).Id;
    const r = await d.api('POST', `/containers/${c}/wait?condition=not-running`);
    assert.deepEqual(JSON.parse(r.body), { StatusCode: 0, Error: null });
    const bad = await d.api('POST', `/containers/${c}/wait?condition=whenever`);
    assert.equal(bad.status, 400);
  });

  it('container inspect has docker\'s shape', async () => {
    const c = JSON.parse((await d.api('POST', '/containers/create?name=shape', { Image: 'busybox', Cmd: ['echo', 'x'] })).body).Id;
    const v = JSON.parse((await d.api('GET', `/containers/${c}/json`)).body);
    for (const k of ['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount', 'Driver', 'Platform', 'MountLabel', 'ProcessLabel', 'AppArmorProfile', 'ExecIDs', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings']) {
      assert.ok(k in v, `missing ${k}`);
    }
    assert.deepEqual(Object.keys(v.State), ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']);
    assert.equal(v.State.Status, 'created');
    assert.equal(v.State.StartedAt, '0001-01-01T00:00:00Z');
    assert.equal(v.Name, '/shape');
    assert.equal(v.Path, 'echo');
    assert.deepEqual(v.Args, ['x']);
    assert.equal(v.Driver, 'overlay2');
    assert.equal(v.GraphDriver.Name, 'overlay2');
    assert.match(v.GraphDriver.Data.UpperDir, /\/overlay2\/[0-9a-f]{64}\/diff$/);
    assert.match(v.GraphDriver.Data.LowerDir, /-init\/diff:/);
    assert.equal(v.Config.Hostname, c.slice(0, 12));
    assert.equal(v.HostConfig.RestartPolicy.Name, 'no');
    assert.equal(v.HostConfig.LogConfig.Type, 'json-file');
    assert.match(v.Image, /^sha256:[0-9a-f]{64}$/);
  });
});
