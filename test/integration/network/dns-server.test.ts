// EmbeddedDns on real sockets (port 53 needs root): answers over udp and tcp, pipelined tcp
// queries, forwarding by the protocol the query came by, the next upstream when one fails, and
// both ports free again after close. Everything listens on loopback addresses of this host.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildAnswer, parseQuery, typeA, typeAAAA } from '../../../src/network/dns-message.ts';
import { EmbeddedDns } from '../../../src/network/dns-server.ts';

const loopback = () => `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;

function query(id: number, name: string, type = typeA): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(1, 3);
  return Buffer.concat([header, ...labels, tail]);
}

/** id, rcode and the A addresses of a reply (answers are fixed-size A records here). */
function reply(msg: Buffer): { id: number; rcode: number; addresses: string[] } {
  const q = parseQuery(Buffer.concat([msg.subarray(0, 2), Buffer.from([0x01, 0x00]), msg.subarray(4)]))!;
  const addresses: string[] = [];
  for (let i = 0, off = q.questionEnd; i < msg.readUInt16BE(6); i++, off += 16) addresses.push([...msg.subarray(off + 12, off + 16)].join('.'));
  return { id: msg.readUInt16BE(0), rcode: msg.readUInt16BE(2) & 0xf, addresses };
}

function askUdp(server: string, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (m) => {
      s.close();
      resolve(m);
    });
    s.on('error', reject);
    s.send(msg, 53, server);
  });
}

/** Sends the messages in one write and collects as many replies. */
function askTcp(server: string, msgs: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: server, port: 53 });
    let got = Buffer.alloc(0);
    const out: Buffer[] = [];
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      while (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        out.push(got.subarray(2, 2 + got.readUInt16BE(0)));
        got = got.subarray(2 + got.readUInt16BE(0));
      }
      if (out.length === msgs.length) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.write(Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]))));
  });
}

/** An upstream on udp and tcp answering every A query with `address`, counting per protocol. */
async function upstream(ip: string, address: string) {
  const seen = { udp: 0, tcp: 0 };
  const answer = (m: Buffer) => buildAnswer(m, parseQuery(m)!, [address]);
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => {
    seen.udp++;
    udp.send(answer(m), r.port, r.address);
  });
  await new Promise<void>((r) => udp.bind({ address: ip, port: 53 }, () => r()));
  const tcp = net.createServer((c) => {
    c.once('data', (d: Buffer) => {
      seen.tcp++;
      const a = answer(d.subarray(2));
      c.end(Buffer.concat([Buffer.from([a.length >> 8, a.length & 0xff]), a]));
    });
  });
  await new Promise<void>((r) => tcp.listen({ host: ip, port: 53 }, () => r()));
  return { seen, close: async () => void (await Promise.all([new Promise((r) => udp.close(() => r(undefined))), new Promise((r) => tcp.close(r))])) };
}

describe('EmbeddedDns', () => {
  const [address, up, dead] = [loopback(), loopback(), loopback()];
  let upstreams: string[] = [up];
  let server: EmbeddedDns;
  let fake: Awaited<ReturnType<typeof upstream>>;
  before(async () => {
    fake = await upstream(up, '10.216.0.99');
    server = new EmbeddedDns(address, {
      resolve: (_asker, name) => ({ web: ['10.216.0.5'], 'web.alias': ['10.216.0.5', '10.216.0.6'] })[name],
      upstreams: () => upstreams,
    });
    await server.start();
  });
  after(async () => {
    await server?.close();
    await fake?.close();
  });

  it('answers container names over udp, with no data for AAAA, and forwards the rest by udp', async () => {
    assert.deepEqual(reply(await askUdp(address, query(7, 'web'))), { id: 7, rcode: 0, addresses: ['10.216.0.5'] });
    assert.deepEqual(reply(await askUdp(address, query(8, 'web', typeAAAA))), { id: 8, rcode: 0, addresses: [] });
    assert.deepEqual(reply(await askUdp(address, query(9, 'external.test'))), { id: 9, rcode: 0, addresses: ['10.216.0.99'] });
    assert.deepEqual(fake.seen, { udp: 1, tcp: 0 });
  });

  it('answers pipelined tcp queries on one connection, forwarding by tcp', async () => {
    const replies = (await askTcp(address, [query(1, 'web.alias'), query(2, 'external.test')])).map(reply).sort((a, b) => a.id - b.id);
    assert.deepEqual(replies, [
      { id: 1, rcode: 0, addresses: ['10.216.0.5', '10.216.0.6'] },
      { id: 2, rcode: 0, addresses: ['10.216.0.99'] },
    ]);
    assert.deepEqual(fake.seen, { udp: 1, tcp: 1 });
  });

  it('tries the next upstream when one refuses; with none, bare names are NXDOMAIN and dotted ones SERVFAIL', async () => {
    upstreams = [dead, up];
    const [r] = await askTcp(address, [query(3, 'external.test')]);
    assert.deepEqual(reply(r).addresses, ['10.216.0.99']);
    upstreams = [];
    assert.equal(reply(await askUdp(address, query(4, 'nosuch'))).rcode, 3);
    assert.equal(reply(await askUdp(address, query(5, 'no.such'))).rcode, 2);
    upstreams = [up];
  });

  it('close frees udp and tcp port 53, and start takes them again', async () => {
    await server.close();
    const probe = new EmbeddedDns(address, { resolve: () => undefined, upstreams: () => [] });
    await probe.start();
    await probe.close();
    await server.start();
    assert.deepEqual(reply(await askUdp(address, query(6, 'web'))).addresses, ['10.216.0.5']);
  });
});
