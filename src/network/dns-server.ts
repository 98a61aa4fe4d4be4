// The embedded resolver: a UDP and a TCP server on each bridge network's gateway address, which
// containers reach as 127.0.0.11 (resolver-redirect.ts points it here). It answers the names of
// containers that share a user-defined network with the asker — container names,
// --network-alias aliases, short ids — and forwards every other query, as the raw message and
// over the protocol it came by, to the asker's upstream servers. The default bridge's server
// only forwards: it serves containers that left their last user-defined network and, as with
// dockerd, keep 127.0.0.11 in their resolv.conf.
import dgram from 'node:dgram';
import net from 'node:net';
import { buildAnswer, parseQuery, typeA } from './dns-message.ts';

export interface NameLookup {
  /** Addresses for `name` as seen from the container at `askerIp`; undefined when not a container name. */
  resolve(askerIp: string, name: string): string[] | undefined;
  /** Where to forward other names for this asker. */
  upstreams(askerIp: string): string[];
}

const rcodeServfail = 2;
const rcodeNxdomain = 3;
/** How long one upstream server gets before the next is tried. */
const upstreamTimeoutMs = 2000;
/** A TCP client that sends nothing for this long is closed. */
const tcpIdleMs = 10_000;

export class EmbeddedDns {
  #udp: dgram.Socket | undefined;
  #tcp: net.Server | undefined;
  #clients = new Set<net.Socket>();
  #lookup: NameLookup;
  readonly address: string;

  constructor(address: string, lookup: NameLookup) {
    this.address = address;
    this.#lookup = lookup;
  }

  /** Binds both sockets, or neither. */
  async start(): Promise<void> {
    const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg, rinfo) => {
      void this.#respond(msg, rinfo.address, 'udp').then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: this.address, port: 53 }, () => {
        udp.removeListener('error', reject);
        udp.on('error', () => {});
        resolve();
      });
    });
    const tcp = net.createServer((client) => this.#serveTcp(client));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: this.address, port: 53 }, () => {
          tcp.removeListener('error', reject);
          tcp.on('error', () => {});
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((r) => udp.close(() => r()));
      throw err;
    }
    this.#udp = udp;
    this.#tcp = tcp;
  }

  async close(): Promise<void> {
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    for (const c of this.#clients) c.destroy();
    this.#clients.clear();
    await Promise.all([
      new Promise<void>((resolve) => (udp ? udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve())),
    ]);
  }

  /** DNS over TCP: each message is preceded by its length in two bytes (RFC 1035 4.2.2). */
  #serveTcp(client: net.Socket): void {
    this.#clients.add(client);
    client.setTimeout(tcpIdleMs, () => client.destroy());
    client.on('error', () => {});
    client.on('close', () => this.#clients.delete(client));
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const msg = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + msg.length);
        void this.#respond(msg, client.remoteAddress ?? '', 'tcp').then((reply) => {
          if (reply && !client.destroyed) client.write(withLength(reply));
        });
      }
    });
  }

  /** The reply to one query: a local answer, the upstream's, or an error; undefined for what is not a query. */
  async #respond(msg: Buffer, askerIp: string, proto: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    const q = parseQuery(msg);
    if (!q) return undefined;
    const name = q.name.replace(/\.$/, '');
    const local = this.#lookup.resolve(askerIp, name);
    if (local) return buildAnswer(msg, q, q.type === typeA ? local : []);
    const upstreams = this.#lookup.upstreams(askerIp);
    if (upstreams.length === 0) return buildAnswer(msg, q, [], { rcode: name.includes('.') ? rcodeServfail : rcodeNxdomain });
    for (const server of upstreams) {
      const reply = await (proto === 'udp' ? forwardUdp(msg, server) : forwardTcp(msg, server)).catch(() => undefined);
      if (reply) return reply;
    }
    return buildAnswer(msg, q, [], { rcode: rcodeServfail });
  }
}

function withLength(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** One query to one upstream server over UDP; undefined when it does not answer in time. */
function forwardUdp(msg: Buffer, server: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const out = dgram.createSocket(net.isIPv6(server) ? 'udp6' : 'udp4');
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      out.close();
      resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), upstreamTimeoutMs);
    out.on('message', (reply) => finish(reply));
    out.on('error', () => finish(undefined));
    out.send(msg, 53, server, (err) => {
      if (err) finish(undefined);
    });
  });
}

/** One query to one upstream server over TCP; undefined when it fails or does not answer in time. */
function forwardTcp(msg: Buffer, server: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: server, port: 53 });
    let got: Buffer = Buffer.alloc(0);
    const finish = (reply: Buffer | undefined) => {
      sock.destroy();
      resolve(reply);
    };
    sock.setTimeout(upstreamTimeoutMs, () => finish(undefined));
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) finish(got.subarray(2, 2 + got.readUInt16BE(0)));
    });
    sock.write(withLength(msg));
  });
}
