// Host ports: each published port is held by a socket berthd binds, which both reserves the port
// (a port in use fails the start with a clear error) and, with the userland proxy on, carries the
// traffic iptables cannot (the host itself connecting to 127.0.0.1:hostPort). TCP is relayed with
// backpressure and half-close; UDP keeps one upstream socket per client address.
//
// TCP relays through one reusable read buffer per direction (net.Socket's `onread`) instead of
// stream.pipe(): pipe() reads into a fresh 64 KiB allocation for every read, and those pages
// faulted in, zeroed and freed again made a relay cost ~1.8x docker-proxy's CPU per GiB. With
// the buffer reused (and grown for bulk transfers), berthd spends about what docker-proxy does,
// which splices. A splice(2) relay in a worker thread was tried: it saved at most ~10% of that
// CPU, not worth a second event loop over raw file descriptors.
import dgram from 'node:dgram';
import net from 'node:net';
import { Conflict } from '../errors/index.ts';

export interface PortHolder {
  close(): Promise<void>;
}

export interface PortBinder {
  /** Binds hostIp:hostPort; forwards to target when given, else only holds the port. */
  bind(proto: 'tcp' | 'udp', host: { ip: string; port: number }, target?: { ip: string; port: number }): Promise<PortHolder>;
}

function bindError(proto: string, host: { ip: string; port: number }, err: NodeJS.ErrnoException): Error {
  const family = proto === 'udp' ? 'udp4' : 'tcp4';
  if (err.code === 'EADDRINUSE') return new Conflict(`Error starting userland proxy: listen ${family} ${host.ip}:${host.port}: bind: address already in use`);
  return new Conflict(`Error starting userland proxy: listen ${family} ${host.ip}:${host.port}: ${err.message}`);
}

/**
 * The read buffer of each direction of a relayed connection starts small, so that idle
 * connections hold little, and grows fourfold after a read that filled it, up to the size where
 * a bulk transfer costs berthd about what it costs docker-proxy (bench/network).
 */
const relayBufferMin = 16 * 1024;
const relayBufferMax = 256 * 1024;

/**
 * The read side of one direction: reads land in the same buffer each time and are written on at
 * once. A write the kernel took whole frees the buffer before the next read; one it queued holds
 * the buffer, so reading pauses (returning false) until that write is done. Node asks for the
 * buffer of the next read after each one, which is when it may grow.
 */
function relayReads(to: () => net.Socket, from: () => net.Socket): net.OnReadOpts {
  let buf = Buffer.allocUnsafe(relayBufferMin);
  let filled = false;
  return {
    buffer: () => {
      if (filled && buf.length < relayBufferMax) buf = Buffer.allocUnsafe(Math.min(relayBufferMax, buf.length * 4));
      filled = false;
      return buf;
    },
    callback(bytes: number, data: Uint8Array): boolean {
      filled = bytes === data.length;
      const dst = to();
      let queued = false;
      dst.write(data.subarray(0, bytes), () => {
        if (queued) from().resume();
      });
      if (dst.writableLength === 0) return true;
      queued = true;
      return false;
    },
  };
}

/**
 * Relays one accepted connection to the target. net.Server offers no `onread`, so the accepted
 * (still paused) socket's handle moves to a socket that has one; the husk is destroyed at once,
 * which also takes it off the server's connection count. The client is read only once the
 * target answered, so nothing needs buffering in between.
 */
function relayConnection(accepted: net.Socket, target: { ip: string; port: number }, sockets: Set<net.Socket>): void {
  const husk = accepted as unknown as { _handle: unknown };
  const handle = husk._handle;
  husk._handle = null;
  accepted.destroy();
  if (!handle) return;
  // The read callbacks run only once data arrives, after both sockets exist.
  const client: net.Socket = new net.Socket({ handle, allowHalfOpen: true, readable: true, writable: true, onread: relayReads(() => upstream, () => client) } as net.SocketConstructorOpts);
  client.pause();
  client.setNoDelay(true);
  const upstream: net.Socket = net.connect({ host: target.ip, port: target.port, allowHalfOpen: true, noDelay: true, onread: relayReads(() => client, () => upstream) });
  sockets.add(client).add(upstream);
  const drop = () => {
    client.destroy();
    upstream.destroy();
    sockets.delete(client);
    sockets.delete(upstream);
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
  // A half-close travels on once the bytes before it were written.
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
  upstream.once('connect', () => client.resume());
}

export class SocketPortBinder implements PortBinder {
  bind(proto: 'tcp' | 'udp', host: { ip: string; port: number }, target?: { ip: string; port: number }): Promise<PortHolder> {
    return proto === 'udp' ? this.#udp(host, target) : this.#tcp(host, target);
  }

  #tcp(host: { ip: string; port: number }, target?: { ip: string; port: number }): Promise<PortHolder> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (accepted) => {
      if (!target) return accepted.destroy();
      relayConnection(accepted, target, sockets);
    });
    return new Promise((resolve, reject) => {
      server.once('error', (err) => reject(bindError('tcp', host, err)));
      server.listen({ host: host.ip, port: host.port, exclusive: true, backlog: 511 }, () => {
        resolve({
          close: () =>
            new Promise<void>((done) => {
              for (const s of sockets) s.destroy();
              server.close(() => done());
            }),
        });
      });
    });
  }

  #udp(host: { ip: string; port: number }, target?: { ip: string; port: number }): Promise<PortHolder> {
    const sock = dgram.createSocket({ type: 'udp4' });
    const flows = new Map<string, { upstream: dgram.Socket; timer: NodeJS.Timeout }>();
    sock.on('message', (msg, rinfo) => {
      if (!target) return;
      const key = `${rinfo.address}:${rinfo.port}`;
      let flow = flows.get(key);
      if (!flow) {
        const upstream = dgram.createSocket('udp4');
        upstream.on('message', (reply) => sock.send(reply, rinfo.port, rinfo.address));
        upstream.on('error', () => {});
        flow = { upstream, timer: setTimeout(() => {}, 0) };
        flows.set(key, flow);
      }
      clearTimeout(flow.timer);
      const f = flow;
      f.timer = setTimeout(() => {
        f.upstream.close();
        flows.delete(key);
      }, 90_000);
      f.timer.unref();
      f.upstream.send(msg, target.port, target.ip);
    });
    return new Promise((resolve, reject) => {
      sock.once('error', (err) => reject(bindError('udp', host, err)));
      sock.bind({ address: host.ip, port: host.port, exclusive: true }, () => {
        sock.removeAllListeners('error');
        sock.on('error', () => {});
        resolve({
          close: () =>
            new Promise<void>((done) => {
              for (const f of flows.values()) {
                clearTimeout(f.timer);
                f.upstream.close();
              }
              sock.close(() => done());
            }),
        });
      });
    });
  }
}

/**
 * In memory, for unit tests: holds ports as the real binder does (an address and port held twice
 * fails with the same Conflict; 0.0.0.0 clashes with every address), forwards nothing. `inUse`
 * stands for ports other programs hold, as "proto/port".
 */
export class FakePortBinder implements PortBinder {
  readonly bound = new Set<{ proto: 'tcp' | 'udp'; ip: string; port: number; target?: { ip: string; port: number } }>();
  readonly inUse = new Set<string>();

  async bind(proto: 'tcp' | 'udp', host: { ip: string; port: number }, target?: { ip: string; port: number }): Promise<PortHolder> {
    const overlaps = (ip: string) => ip === host.ip || ip === '0.0.0.0' || host.ip === '0.0.0.0';
    if (this.inUse.has(`${proto}/${host.port}`) || [...this.bound].some((b) => b.proto === proto && b.port === host.port && overlaps(b.ip))) {
      throw bindError(proto, host, Object.assign(new Error('address already in use'), { code: 'EADDRINUSE' }));
    }
    const entry = { proto, ip: host.ip, port: host.port, ...(target ? { target } : {}) };
    this.bound.add(entry);
    return {
      close: async () => {
        this.bound.delete(entry);
      },
    };
  }
}
