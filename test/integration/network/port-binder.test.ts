// The PortBinder contract (src/network/proxy.contract.ts) on the real SocketPortBinder, plus what
// only the real one does: carry traffic to the target (the userland proxy), for tcp with
// half-close and for udp. All of it on 127.0.0.1; every socket is closed when a test ends.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { it } from 'node:test';
import { SocketPortBinder } from '../../../src/network/index.ts';
import { portBinderContract } from '../../../src/network/proxy.contract.ts';

/** A port the kernel just handed out for tcp and that udp does not hold either. */
async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen({ host: '0.0.0.0', port: 0 }, () => resolve((server.address() as net.AddressInfo).port)));
    await new Promise((r) => server.close(r));
    const udp = dgram.createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind({ address: '0.0.0.0', port }, () => resolve(true));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (free) return port;
  }
}

portBinderContract('SocketPortBinder', async () => ({ binder: new SocketPortBinder(), freePort }));

it('SocketPortBinder forwards tcp to the target both ways, passing the client half-close on', async () => {
  const echo = net.createServer({ allowHalfOpen: true }, (s) => {
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => s.end(`echo:${got}`));
  });
  const target = await new Promise<number>((resolve) => echo.listen({ host: '127.0.0.1', port: 0 }, () => resolve((echo.address() as net.AddressInfo).port)));
  const port = await freePort();
  const holder = await new SocketPortBinder().bind('tcp', { ip: '127.0.0.1', port }, { ip: '127.0.0.1', port: target });
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      let out = '';
      client.on('data', (d: Buffer) => (out += d.toString()));
      client.on('end', () => resolve(out));
      client.on('error', reject);
      client.end('hello');
    });
    assert.equal(reply, 'echo:hello');
  } finally {
    await holder.close();
    await new Promise((r) => echo.close(r));
  }
});

it('SocketPortBinder relays megabytes both ways intact to readers that keep pausing', async () => {
  // Slow readers make the relay queue writes and pause its reads, the path where a reused read
  // buffer could be overwritten before its bytes went out.
  const up = randomBytes(12 * 1024 * 1024);
  const down = randomBytes(9 * 1024 * 1024 + 7);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const slowRead = (s: net.Socket, done: (data: Buffer) => void) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => {
      parts.push(d);
      if (parts.length % 16 === 0) {
        s.pause();
        setTimeout(() => s.resume(), 5);
      }
    });
    s.on('end', () => done(Buffer.concat(parts)));
  };
  let received: Promise<Buffer> | undefined;
  const target = net.createServer({ allowHalfOpen: true }, (s) => {
    received = new Promise((resolve) => slowRead(s, resolve));
    s.end(down);
  });
  const targetPort = await new Promise<number>((resolve) => target.listen({ host: '127.0.0.1', port: 0 }, () => resolve((target.address() as net.AddressInfo).port)));
  const port = await freePort();
  const holder = await new SocketPortBinder().bind('tcp', { ip: '127.0.0.1', port }, { ip: '127.0.0.1', port: targetPort });
  try {
    const back = await new Promise<Buffer>((resolve, reject) => {
      const client = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      client.on('error', reject);
      slowRead(client, resolve);
      client.end(up);
    });
    assert.equal(back.length, down.length);
    assert.equal(sha(back), sha(down));
    const got = await received!;
    assert.equal(got.length, up.length);
    assert.equal(sha(got), sha(up));
  } finally {
    await holder.close();
    await new Promise((r) => target.close(r));
  }
});

it('SocketPortBinder closes the client when the target refuses, and close() ends live relays', async () => {
  const refused = await freePort();
  const port = await freePort();
  const holder = await new SocketPortBinder().bind('tcp', { ip: '127.0.0.1', port }, { ip: '127.0.0.1', port: refused });
  try {
    await new Promise<void>((resolve, reject) => {
      const client = net.connect({ host: '127.0.0.1', port });
      client.on('error', () => resolve());
      client.on('close', () => resolve());
      client.on('data', () => reject(new Error('data from nowhere')));
    });
  } finally {
    await holder.close();
  }
  const idle = net.createServer(() => {});
  const targetPort = await new Promise<number>((resolve) => idle.listen({ host: '127.0.0.1', port: 0 }, () => resolve((idle.address() as net.AddressInfo).port)));
  const port2 = await freePort();
  const live = await new SocketPortBinder().bind('tcp', { ip: '127.0.0.1', port: port2 }, { ip: '127.0.0.1', port: targetPort });
  const client = net.connect({ host: '127.0.0.1', port: port2 });
  const closed = new Promise<void>((resolve) => client.on('close', () => resolve()).on('error', () => {}));
  await new Promise((r) => client.once('connect', r));
  await new Promise((r) => setTimeout(r, 50));
  await live.close();
  await closed;
  await new Promise((r) => idle.close(r));
});

it('SocketPortBinder forwards udp datagrams to the target and the replies back to the sender', async () => {
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  const target = await new Promise<number>((resolve) => echo.bind({ address: '127.0.0.1', port: 0 }, () => resolve(echo.address().port)));
  const port = await freePort();
  const holder = await new SocketPortBinder().bind('udp', { ip: '127.0.0.1', port }, { ip: '127.0.0.1', port: target });
  const client = dgram.createSocket('udp4');
  try {
    const reply = await new Promise<string>((resolve) => {
      client.on('message', (m) => resolve(m.toString()));
      client.send('ping', port, '127.0.0.1');
    });
    assert.equal(reply, 'echo:ping');
  } finally {
    client.close();
    await holder.close();
    echo.close();
  }
});
