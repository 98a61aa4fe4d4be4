// http1.ts against servers written byte by byte on a unix socket: how bodies are framed (length,
// chunked in any split, up to the close), kept-alive connections reused and replaced, upgrades
// with bytes already read, streamed uploads, aborts and malformed answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { Http1Client, Http1Response, type Http1Upgrade } from './http1.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-http1-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A server whose `onRequest` gets each request's head (and the socket) as it comes. */
async function server(onRequest: (head: string, socket: net.Socket, body: Buffer) => void): Promise<{ client: Http1Client; connections: () => number; close: () => void }> {
  const path = join(dir, `s${n++}.sock`);
  let connections = 0;
  const srv = net.createServer((socket) => {
    connections++;
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      const body = buf.subarray(end + 4, end + 4 + length);
      buf = buf.subarray(end + 4 + length);
      onRequest(head, socket, body);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => srv.listen(path, resolve));
  const client = new Http1Client(() => net.connect(path), 'localhost');
  return {
    client,
    connections: () => connections,
    close: () => {
      client.close();
      srv.close();
    },
  };
}

/** Writes `pieces` one by one, each in its own packet. */
async function trickle(socket: net.Socket, pieces: Array<string | Buffer>): Promise<void> {
  for (const p of pieces) {
    socket.write(p);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const text = async (res: Http1Response) => {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

describe('http1', () => {
  it('reads a chunked body however it is split, with chunk extensions and trailers', async () => {
    const s = await server((_head, socket) => {
      void trickle(socket, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n', '5', ';ext=1\r', '\nhel', 'lo\r\n', 'c\r\n world', ' again\r\n0\r\nX-Trailer: 1\r\n', '\r\n']);
    });
    try {
      const res = await s.client.request({ method: 'GET', path: '/x', headers: {} });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(await text(res), 'hello world again');
    } finally {
      s.close();
    }
  });

  it('keeps a connection alive for the next request, and dials again when the server closed it', async () => {
    let answered = 0;
    const s = await server((head, socket) => {
      answered++;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`);
      if (head.startsWith('GET /close')) setTimeout(() => socket.end(), 5);
    });
    try {
      assert.equal(await text(await s.client.request({ method: 'GET', path: '/a', headers: {} })), 'ok');
      assert.equal(await text(await s.client.request({ method: 'GET', path: '/close', headers: {} })), 'ok');
      assert.equal(s.connections(), 1, 'the second request went on the first connection');
      await new Promise((r) => setTimeout(r, 30)); // the server closes the idle connection
      assert.equal(await text(await s.client.request({ method: 'POST', path: '/c', headers: {} })), 'ok');
      assert.equal(s.connections(), 2);
      assert.equal(answered, 3);
    } finally {
      s.close();
    }
  });

  it('gives back the bytes that came with a 101 and leaves the connection to the caller', async () => {
    const s = await server((head, socket) => {
      assert.match(head, /^POST \/attach HTTP\/1\.1\r\nHost: localhost\r\nUpgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 0$/);
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst bytes');
      socket.once('data', (d) => socket.end(`echo ${d}`));
    });
    try {
      const up = (await s.client.upgrade({ method: 'POST', path: '/attach', headers: { Upgrade: 'tcp' } })) as Http1Upgrade;
      assert.equal(up.statusCode, 101);
      assert.equal(up.headers['content-type'], 'application/vnd.docker.raw-stream');
      up.socket.write('stdin');
      const chunks: Buffer[] = [];
      for await (const c of up.socket) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'first bytesecho stdin');
    } finally {
      s.close();
    }
  });

  it('answers an upgrade the server refused with the response', async () => {
    const s = await server((_head, socket) => socket.write('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 23\r\n\r\n{"message":"no such x"}'));
    try {
      const res = await s.client.upgrade({ method: 'POST', path: '/attach', headers: {} });
      assert.ok(res instanceof Http1Response);
      assert.equal(res.statusCode, 404);
      assert.equal(res.statusMessage, 'Not Found');
      assert.equal(await text(res), '{"message":"no such x"}');
    } finally {
      s.close();
    }
  });

  it('streams a body in chunked encoding, at the pace of the connection', async () => {
    const payload = randomBytes(3 * 1024 * 1024);
    const path = join(dir, `s${n++}.sock`);
    let received: Buffer | undefined;
    const srv = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (!buf.subarray(-5).equals(Buffer.from('0\r\n\r\n'))) return;
        // decode the chunks
        const head = buf.indexOf('\r\n\r\n');
        assert.match(buf.subarray(0, head).toString(), /Transfer-Encoding: chunked/);
        const out: Buffer[] = [];
        let at = head + 4;
        for (;;) {
          const eol = buf.indexOf('\r\n', at);
          const size = parseInt(buf.subarray(at, eol).toString(), 16);
          if (size === 0) break;
          out.push(buf.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        received = Buffer.concat(out);
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => srv.listen(path, resolve));
    const client = new Http1Client(() => net.connect(path), 'localhost');
    try {
      const pieces = Array.from({ length: 48 }, (_, i) => payload.subarray(i * 65536, (i + 1) * 65536));
      const res = await client.request({ method: 'POST', path: '/build', headers: {}, stream: Readable.from(pieces) });
      assert.equal(res.statusCode, 200);
      assert.ok(received?.equals(payload), 'the server got the body as sent');
    } finally {
      client.close();
      srv.close();
    }
  });

  it('reads a body up to the close when there is no length, and an empty one for HEAD and 204', async () => {
    const s = await server((head, socket) => {
      if (head.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\nApi-Version: 1.43\r\n\r\n');
      else if (head.startsWith('POST')) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else void trickle(socket, ['HTTP/1.0 200 OK\r\n\r\npart one, ', 'part two']).then(() => socket.end());
    });
    try {
      const ping = await s.client.request({ method: 'HEAD', path: '/_ping', headers: {} });
      assert.equal(ping.headers['api-version'], '1.43');
      assert.equal(await text(ping), '');
      assert.equal(await text(await s.client.request({ method: 'POST', path: '/start', headers: {} })), '');
      assert.equal(await text(await s.client.request({ method: 'GET', path: '/export', headers: {} })), 'part one, part two');
    } finally {
      s.close();
    }
  });

  it('fails an aborted request with an AbortError, and a malformed answer with what is wrong', async () => {
    const s = await server((head, socket) => {
      if (head.startsWith('GET /slow')) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n');
      else socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    });
    try {
      const ctl = new AbortController();
      const res = await s.client.request({ method: 'GET', path: '/slow', headers: {}, signal: ctl.signal });
      setTimeout(() => ctl.abort(), 10);
      await assert.rejects(text(res), { name: 'AbortError' });
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(s.client.request({ method: 'GET', path: '/slow', headers: {}, signal: aborted.signal }), { name: 'AbortError' });
      const bad = await s.client.request({ method: 'GET', path: '/bad', headers: {} });
      await assert.rejects(text(bad), /bad chunk size "zz"/);
    } finally {
      s.close();
    }
  });

  it('closes the connection when the reader stops early', async () => {
    let closed = false;
    const s = await server((_head, socket) => {
      socket.on('close', () => (closed = true));
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n');
    });
    try {
      const res = await s.client.request({ method: 'GET', path: '/logs', headers: {} });
      for await (const chunk of res) {
        assert.equal(String(chunk), 'first');
        break; // destroys the response
      }
      for (let i = 0; i < 50 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(closed, 'the server saw the connection close');
    } finally {
      s.close();
    }
  });

  it('reports a server that is not there as the socket error, for the caller to word', async () => {
    const client = new Http1Client(() => net.connect(join(dir, 'none.sock')), 'localhost');
    await assert.rejects(client.request({ method: 'GET', path: '/', headers: {} }), { code: 'ENOENT' });
  });
});
