// The HTTP edge under clients that do unusual things: Upgrade headers on plain routes, paths URL
// parsing dislikes, unknown routes, pipelined requests, and clients that reset the connection
// mid-response. Each must get a proper answer (or a quiet disconnect), never a JavaScript error.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  d.berthOk(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
});

/** Sends raw bytes on a fresh connection and returns everything read until the server closes. */
function raw(request: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.socket);
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no end of response within ${timeoutMs} ms; got ${JSON.stringify(out.slice(0, 300))}`));
    }, timeoutMs);
    s.on('data', (b: Buffer) => (out += b.toString('latin1')));
    s.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on('error', reject);
    s.write(request);
  });
}

const statusLines = (text: string) => [...text.matchAll(/HTTP\/1\.1 \d{3} [A-Za-z ]+/g)].map((m) => m[0]);
const noScriptErrors = () => assert.doesNotMatch(d.logs(), /uncaught exception|unhandled rejection|Cannot read properties|is not a function/);

describe('HTTP edge', () => {
  for (const upgrade of ['tcp', 'h2c', 'websocket']) {
    it(`Upgrade: ${upgrade} on plain routes answers as the route does`, async () => {
      const version = await raw(`GET /version HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\n\r\n`);
      assert.deepEqual(statusLines(version), ['HTTP/1.1 200 OK']);
      assert.match(version, /"ApiVersion":"1\.43"/);
      const volumes = await raw(`GET /volumes HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\n\r\n`);
      assert.deepEqual(statusLines(volumes), ['HTTP/1.1 200 OK']);
      assert.match(volumes, /"Volumes":/);
      const load = await raw(`POST /images/load HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\nContent-Type: application/x-tar\r\nContent-Length: 5\r\n\r\nhello`);
      assert.deepEqual(statusLines(load), ['HTTP/1.1 200 OK']);
      assert.match(load, /"errorDetail"/, 'the load itself fails: five bytes are no archive');
    });
  }

  it('an upgraded request that fails before hijacking gets a JSON error', async () => {
    const r = await raw('POST /containers/nope/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    assert.deepEqual(statusLines(r), ['HTTP/1.1 404 Not Found']);
    assert.match(r, /Content-Type: application\/json/i);
    assert.match(r, /\{"message":"No such container: nope"\}/);
  });

  it('unknown routes answer 404 with a JSON message; known paths under another method 405', async () => {
    const unknown = await d.api('GET', '/no/such/route');
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.headers['content-type']), /application\/json/);
    assert.deepEqual(JSON.parse(unknown.body), { message: 'page not found' });
    const wrong = await d.api('PUT', '/version');
    assert.equal(wrong.status, 405);
    assert.deepEqual(JSON.parse(wrong.body), { message: 'method not allowed' });
  });

  it('paths URL parsing dislikes answer at once', async () => {
    for (const [path, status] of [['//', '404 Not Found'], ['///x', '404 Not Found'], ['//%zz', '400 Bad Request']]) {
      const r = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.deepEqual(statusLines(r), [`HTTP/1.1 ${status}`], path);
    }
  });

  it('pipelined requests each get their answer, in order', async () => {
    const body = '{}';
    const r = await raw(
      'GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /version HTTP/1.1\r\nHost: x\r\n\r\n' +
        'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n' +
        `POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /containers/json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.deepEqual(statusLines(r), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 200 OK']);
  });

  it('clients that reset the connection mid-response are a quiet event', async () => {
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const s = net.connect(d.socket);
        s.on('error', () => {});
        s.write('GET /images/get?names=busybox HTTP/1.1\r\nHost: x\r\n\r\n');
        s.once('data', () => {
          s.destroy(); // the daemon is still writing: its next write fails (EPIPE)
          resolve();
        });
      });
    }
    const ping = await d.api('GET', '/_ping');
    assert.equal(ping.status, 200);
    noScriptErrors();
  });
});
