// The embedded resolver of user-defined networks: a UDP server on each such network's gateway
// address (the container's resolv.conf names it). It answers the names of containers that share
// a network with the asker — container names, --network-alias aliases, short ids — and forwards
// every other query, as the raw packet, to the asker's upstream servers.
import dgram from 'node:dgram';
import { buildAnswer, parseQuery, typeA } from './dns-message.ts';

export interface NameLookup {
  /** Addresses for `name` as seen from the container at `askerIp`; undefined when not a container name. */
  resolve(askerIp: string, name: string): string[] | undefined;
  /** Where to forward other names for this asker. */
  upstreams(askerIp: string): string[];
}

const rcodeServfail = 2;
const rcodeNxdomain = 3;

export class EmbeddedDns {
  #sock: dgram.Socket | undefined;
  #lookup: NameLookup;
  readonly address: string;

  constructor(address: string, lookup: NameLookup) {
    this.address = address;
    this.#lookup = lookup;
  }

  start(): Promise<void> {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.#sock = sock;
    sock.on('message', (msg, rinfo) => this.#answer(sock, msg, rinfo));
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address: this.address, port: 53 }, () => {
        sock.removeListener('error', reject);
        sock.on('error', () => {});
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const sock = this.#sock;
    this.#sock = undefined;
    return new Promise((resolve) => (sock ? sock.close(() => resolve()) : resolve()));
  }

  #answer(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const q = parseQuery(msg);
    if (!q) return;
    const name = q.name.replace(/\.$/, '');
    const local = this.#lookup.resolve(rinfo.address, name);
    if (local) {
      sock.send(buildAnswer(msg, q, q.type === typeA ? local : []), rinfo.port, rinfo.address);
      return;
    }
    const upstreams = this.#lookup.upstreams(rinfo.address);
    if (upstreams.length === 0) {
      sock.send(buildAnswer(msg, q, [], { rcode: name.includes('.') ? rcodeServfail : rcodeNxdomain }), rinfo.port, rinfo.address);
      return;
    }
    this.#forward(msg, upstreams, (reply) => sock.send(reply ?? buildAnswer(msg, q, [], { rcode: rcodeServfail }), rinfo.port, rinfo.address));
  }

  #forward(msg: Buffer, upstreams: string[], done: (reply: Buffer | undefined) => void): void {
    const out = dgram.createSocket('udp4');
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      out.close();
      done(reply);
    };
    const tryNext = () => {
      if (i >= upstreams.length) return finish(undefined);
      const server = upstreams[i++];
      out.send(msg, 53, server, (err) => {
        if (err) tryNext();
      });
      clearTimeout(timer);
      timer = setTimeout(tryNext, 2000);
    };
    out.on('message', (reply) => finish(reply));
    out.on('error', () => finish(undefined));
    tryNext();
  }
}
