// The client against a stand-in daemon on a unix socket: the requests each namespace sends (as
// any Docker-compatible daemon expects them) and how answers come back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ApiError, Client, ConnectionError, jsonLines, type EventMessage } from './index.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
const socket = join(dir, 'api.sock');
const seen: Seen[] = [];
let answer: (req: Seen, res: http.ServerResponse) => void = (_req, res) => res.writeHead(204).end();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': '1.41' }).end('OK');
      return;
    }
    const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
    seen.push(s);
    answer(s, res);
  });
});

const json = (value: unknown, status = 200) => (_req: Seen, res: http.ServerResponse) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));

let client: Client;
before(async () => {
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  client = new Client({ host: `unix://${socket}` });
});
after(() => {
  client.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const last = () => seen[seen.length - 1]!;

describe('Client', () => {
  it("speaks the daemon's API version when it is older than ours", async () => {
    assert.equal(await client.apiVersion(), '1.41');
    answer = json([]);
    await client.containers.list({ all: true, size: false, filters: { status: ['exited'] } });
    assert.equal(last().url, `/v1.41/containers/json?all=1&size=0&filters=${encodeURIComponent('{"status":["exited"]}')}`);
  });

  it('puts names in paths: one segment, or an image reference with its slashes', async () => {
    answer = json({ Id: 'x' });
    await client.containers.inspect('a/b c');
    assert.equal(last().url, '/v1.41/containers/a%2Fb%20c/json');
    await client.images.inspect('localhost:5000/ns/app:1');
    assert.equal(last().url, '/v1.41/images/localhost%3A5000/ns/app%3A1/json');
  });

  it('sends JSON bodies, query lists and the registry credentials header', async () => {
    answer = json({ Id: 'c1', Warnings: null }, 201);
    const created = await client.containers.create({ Image: 'busybox', Cmd: ['true'] }, { name: 'web' });
    assert.deepEqual(created, { Id: 'c1', Warnings: null });
    assert.deepEqual([last().method, last().url, last().headers['content-type'], JSON.parse(last().body)], ['POST', '/v1.41/containers/create?name=web', 'application/json', { Image: 'busybox', Cmd: ['true'] }]);
    answer = json({ Id: 'sha256:1' }, 201);
    await client.containers.commit('c1', { repo: 'r', changes: ['ENV A=1', 'CMD sh'], pause: false });
    assert.equal(last().url, '/v1.41/commit?container=c1&repo=r&changes=ENV+A%3D1&changes=CMD+sh&pause=0');
    answer = (_req, res) => res.writeHead(200).end('{"status":"done"}\n');
    const progress = await client.images.pull('busybox:latest', { registryAuth: 'e30' });
    progress.resume();
    assert.equal(last().headers['x-registry-auth'], 'e30');
  });

  it("sends a build's context as the body, its options as docker's query names, credentials as X-Registry-Config", async () => {
    answer = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"stream":"Step 1/1 : FROM scratch\\n"}\r\n');
    const res = await client.images.build(Readable.from([Buffer.from('context bytes')]), {
      tags: ['a:1', 'b'],
      dockerfile: 'sub/Dockerfile',
      quiet: false,
      noCache: true,
      pull: false,
      rm: false,
      forceRm: false,
      extraHosts: ['db:10.0.0.5'],
      cacheFrom: ['a:0'],
      buildArgs: { V: '1', UNSET: null },
      labels: {},
      memory: 1024,
      registryConfig: { 'localhost:5000': { username: 'u', password: 'p', serveraddress: 'localhost:5000' } },
      headers: { 'X-Extension': 'x' },
    });
    res.resume();
    const q = new URL(last().url, 'http://x').searchParams;
    assert.equal(new URL(last().url, 'http://x').pathname, '/v1.41/build');
    assert.deepEqual(q.getAll('t'), ['a:1', 'b']);
    assert.deepEqual(
      [q.get('dockerfile'), q.get('nocache'), q.get('rm'), q.get('pull'), q.get('extrahosts'), q.get('cachefrom'), q.get('buildargs'), q.get('labels'), q.get('memory')],
      ['sub/Dockerfile', '1', '0', null, 'db:10.0.0.5', '["a:0"]', '{"V":"1","UNSET":null}', '{}', '1024'],
    );
    assert.equal(last().body, 'context bytes');
    assert.equal(last().headers['content-type'], 'application/x-tar');
    assert.equal(last().headers['x-extension'], 'x');
    assert.deepEqual(JSON.parse(Buffer.from(String(last().headers['x-registry-config']), 'base64').toString()), { 'localhost:5000': { username: 'u', password: 'p', serveraddress: 'localhost:5000' } });

    answer = json({ CachesDeleted: ['k1'], SpaceReclaimed: 10 });
    assert.deepEqual(await client.builder.prune({ all: true, filters: { until: ['24h'] } }), { CachesDeleted: ['k1'], SpaceReclaimed: 10 });
    assert.equal(last().url, `/v1.41/build/prune?all=1&filters=${encodeURIComponent('{"until":["24h"]}')}`);
  });

  it("turns the daemon's refusals into ApiError with its message", async () => {
    answer = json({ message: 'No such container: nope' }, 404);
    await assert.rejects(client.containers.start('nope'), (err: unknown) => err instanceof ApiError && err.status === 404 && err.message === 'No such container: nope');
    answer = (_req, res) => res.writeHead(500).end();
    await assert.rejects(client.volumes.remove('v', { force: false }), { message: '500 Internal Server Error' });
  });

  it('registers a wait before the exit is known, and reads the exit once it is', async () => {
    let finish!: () => void;
    answer = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      finish = () => res.end('{"StatusCode":3,"Error":null}\n');
    };
    const { exit } = await client.containers.waitFor('c1', 'next-exit');
    assert.equal(last().url, '/v1.41/containers/c1/wait?condition=next-exit');
    finish();
    assert.deepEqual(await exit, { StatusCode: 3, Error: null });
    answer = (_req, res) => res.writeHead(200).end();
    const cut = await client.containers.waitFor('c1', 'removed');
    await assert.rejects(cut.exit, SyntaxError);
  });

  it("decodes a path's stat from the archive header", async () => {
    const stat = { name: 'etc', size: 4096, mode: 2147484141, mtime: '2024-01-01T00:00:00Z', linkTarget: '' };
    answer = (_req, res) => res.writeHead(200, { 'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') }).end();
    assert.deepEqual(await client.archive.stat('c1', '/etc'), stat);
    assert.equal(last().method, 'HEAD');
    assert.equal(last().url, '/v1.41/containers/c1/archive?path=%2Fetc');
  });

  it('sends a build context with the classic /build parameters and reads the message stream', async () => {
    answer = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"stream":"Step 1/1 : FROM busybox\\n"}\n{"aux":{"ID":"sha256:ab"}}\n');
    const res = await client.images.build(Readable.from([Buffer.from('tar bytes')]), {
      tags: ['app-web', 'app:1'],
      dockerfile: 'Dockerfile.dev',
      buildArgs: { A: '1', B: null },
      target: 'prod',
      labels: { l: 'v' },
      cacheFrom: ['app:cache'],
      networkMode: 'host',
      extraHosts: ['db:10.0.0.5'],
      shmSize: 1024,
      quiet: false,
      noCache: true,
      pull: true,
      rm: true,
      forceRm: true,
      registryConfig: { 'reg.example': { username: 'u' } },
    });
    const messages = [];
    for await (const m of jsonLines<{ stream?: string; aux?: unknown }>(res)) messages.push(m);
    assert.deepEqual(messages, [{ stream: 'Step 1/1 : FROM busybox\n' }, { aux: { ID: 'sha256:ab' } }]);
    const url = new URL(`http://x${last().url}`);
    assert.equal(url.pathname, '/v1.41/build');
    assert.deepEqual(url.searchParams.getAll('t'), ['app-web', 'app:1']);
    assert.equal(url.searchParams.get('dockerfile'), 'Dockerfile.dev');
    assert.deepEqual(JSON.parse(url.searchParams.get('buildargs')!), { A: '1', B: null });
    assert.deepEqual(JSON.parse(url.searchParams.get('labels')!), { l: 'v' });
    assert.deepEqual(JSON.parse(url.searchParams.get('cachefrom')!), ['app:cache']);
    assert.deepEqual(
      ['target', 'networkmode', 'extrahosts', 'shmsize', 'nocache', 'pull', 'rm', 'forcerm'].map((k) => url.searchParams.get(k)),
      ['prod', 'host', 'db:10.0.0.5', '1024', '1', '1', '1', '1'],
    );
    assert.equal(last().body, 'tar bytes');
    assert.equal(last().headers['content-type'], 'application/x-tar');
    assert.deepEqual(JSON.parse(Buffer.from(String(last().headers['x-registry-config']), 'base64url').toString()), { 'reg.example': { username: 'u' } });
  });

  it('streams events with their filters, one JSON message a line', async () => {
    const e = (action: string): EventMessage => ({ Type: 'container', Action: action, Actor: { ID: 'c1', Attributes: { name: 'web' } }, scope: 'local', time: 1, timeNano: 1e9 });
    answer = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify(e('create')).slice(0, 10));
      res.end(JSON.stringify(e('create')).slice(10) + '\n' + JSON.stringify(e('start')) + '\n');
    };
    const res = await client.system.events({ since: '0', filters: { label: ['com.docker.compose.project=app'] } });
    const seen2: string[] = [];
    for await (const m of jsonLines<EventMessage>(res)) seen2.push(m.Action);
    assert.deepEqual(seen2, ['create', 'start']);
    assert.equal(last().url, `/v1.41/events?since=0&filters=${encodeURIComponent('{"label":["com.docker.compose.project=app"]}')}`);
  });

  it('says when there is no daemon to talk to', async () => {
    const nobody = new Client({ host: `unix://${join(dir, 'none.sock')}` });
    await assert.rejects(nobody.system.version(), (err: unknown) => err instanceof ConnectionError && /Cannot connect to the Berth daemon/.test(err.message));
    nobody.close();
  });
});
