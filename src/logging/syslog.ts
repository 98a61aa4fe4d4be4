// The syslog driver, as dockerd's (daemon/logger/syslog with srslog): one message per line to
// unix, unixgram, tcp, udp or tcp+tls; facility and format options; the tag template (default
// the short id); stdout at severity info, stderr at err; pid is the daemon's. Formats:
//   (default)     <30>Dec  5 22:29:57 tag[pid]: msg
//   rfc3164       <30>Dec  5 22:29:57 host tag[pid]: msg
//   rfc5424       <30>1 2024-12-05T22:29:57Z host tag pid tag - msg
//   rfc5424micro  <30>1 2024-12-05T22:29:57.487144Z host tag pid tag - msg
// each followed by a newline; over tcp+tls, rfc5424 messages are framed by their length (RFC 5425).
import dgram from 'node:dgram';
import { statSync } from 'node:fs';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { InvalidArgument } from '../errors/index.ts';
import type { Logger } from '../lib/index.ts';
import type { LogMessage } from './message.ts';
import type { LogTime } from './time.ts';

const facilities: Record<string, number> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export type SyslogProto = 'unix' | 'unixgram' | 'tcp' | 'udp' | 'tcp+tls';
export type SyslogFormat = 'unix' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';

export interface SyslogAddress {
  /** Absent: the local syslog socket (/dev/log and the like), as srslog's default. */
  proto?: SyslogProto;
  /** A socket path, or host:port. */
  address: string;
}

/** dockerd's parseAddress, including its check that a unix socket exists. */
export function parseSyslogAddress(address: string | undefined): SyslogAddress {
  if (!address) return { address: '' };
  const m = /^(tcp|tcp\+tls|udp|unix|unixgram):\/\/(.*)$/.exec(address);
  if (!m) throw new InvalidArgument(`syslog-address should be in form proto://address, got ${address}`);
  const proto = m[1] as SyslogProto;
  if (proto === 'unix' || proto === 'unixgram') {
    const path = new URL(address).pathname;
    try {
      statSync(path);
    } catch {
      throw new InvalidArgument(`stat ${path}: no such file or directory`);
    }
    return { proto, address: path };
  }
  const url = new URL(address.replace(/^tcp\+tls:/, 'tcp:'));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port || '514';
  return { proto, address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}

/** The facility as a priority part (facility << 3); dockerd's default is daemon. */
export function parseFacility(value: string | undefined): number {
  if (!value) return facilities.daemon << 3;
  if (value in facilities) return facilities[value] << 3;
  if (/^[+-]?\d+$/.test(value)) {
    const n = Number(value);
    if (n >= 0 && n <= 23) return n << 3;
  }
  throw new InvalidArgument('invalid syslog facility');
}

export function parseSyslogFormat(value: string | undefined): SyslogFormat {
  if (!value) return 'unix';
  if (value === 'rfc3164' || value === 'rfc5424' || value === 'rfc5424micro') return value;
  throw new InvalidArgument('Invalid syslog format');
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's time.Stamp in local time: "Jan _2 15:04:05". */
function stamp(d: Date): string {
  return `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** RFC 3339 in local time, with `fraction` digits of the second (Z for UTC). */
function rfc3339Local(d: Date, nsec: number, fraction: number): string {
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const frac = fraction ? `.${String(nsec).padStart(9, '0').slice(0, fraction)}` : '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${frac}${zone}`;
}

export interface SyslogMessageParts {
  priority: number;
  time: LogTime;
  hostname: string;
  tag: string;
  pid: number;
  content: string;
}

/** One message as srslog's formatter and framer make it, newline included. */
export function formatSyslog(format: SyslogFormat, p: SyslogMessageParts, lengthFramed = false): string {
  const d = new Date(p.time.sec * 1000);
  let msg: string;
  switch (format) {
    case 'unix':
      msg = `<${p.priority}>${stamp(d)} ${p.tag}[${p.pid}]: ${p.content}`;
      break;
    case 'rfc3164':
      msg = `<${p.priority}>${stamp(d)} ${p.hostname} ${p.tag}[${p.pid}]: ${p.content}`;
      break;
    case 'rfc5424':
      msg = `<${p.priority}>1 ${rfc3339Local(d, p.time.nsec, 0)} ${p.hostname} ${p.tag} ${p.pid} ${p.tag} - ${p.content}`;
      break;
    case 'rfc5424micro':
      msg = `<${p.priority}>1 ${rfc3339Local(d, p.time.nsec, 6)} ${p.hostname} ${p.tag} ${p.pid} ${p.tag} - ${p.content}`;
      break;
  }
  if (!msg.endsWith('\n')) msg += '\n';
  return lengthFramed ? `${Buffer.byteLength(msg)} ${msg}` : msg;
}

/** Sending datagrams on a unix socket, which Node cannot do (a port over the kernel boundary). */
export interface UnixDatagramPort {
  /** A connected AF_UNIX SOCK_DGRAM socket's fd. */
  connect(path: string): number;
  /** Sends one datagram without blocking; false when the receiver's queue is full. */
  send(fd: number, data: Buffer): boolean;
  close(fd: number): void;
}

export interface SyslogOptions {
  address: SyslogAddress;
  facility: number;
  format: SyslogFormat;
  tag: string;
  hostname: string;
  pid: number;
  tls?: { ca?: string; cert?: string; key?: string; skipVerify: boolean };
  datagram: UnixDatagramPort;
  log: Logger;
}

interface Transport {
  write(data: Buffer): Promise<void>;
  close(): void;
}

/** The local syslog sockets srslog tries when no address is given. */
const localSockets = ['/dev/log', '/var/run/syslog', '/var/run/log'];

export class SyslogWriter {
  readonly #o: SyslogOptions;
  #transport: Transport | undefined;
  #lastFailure = 0;
  #dropped = 0;

  private constructor(options: SyslogOptions) {
    this.#o = options;
  }

  /** Connects now, as dockerd dials when the container starts: an unreachable server fails the start. */
  static async open(options: SyslogOptions): Promise<SyslogWriter> {
    const w = new SyslogWriter(options);
    w.#transport = await w.#connect();
    return w;
  }

  async #connect(): Promise<Transport> {
    const { address, datagram } = this.#o;
    if (!address.proto) {
      for (const path of localSockets) {
        try {
          return datagramTransport(datagram, path);
        } catch {
          try {
            return await streamTransport(() => net.connect(path));
          } catch {
            // the next one
          }
        }
      }
      throw new Error('Unix syslog delivery error');
    }
    switch (address.proto) {
      case 'unix':
        return streamTransport(() => net.connect(address.address));
      case 'unixgram':
        return datagramTransport(datagram, address.address);
      case 'tcp': {
        const [host, port] = splitHostPort(address.address);
        return streamTransport(() => net.connect({ host, port }));
      }
      case 'tcp+tls': {
        const [host, port] = splitHostPort(address.address);
        const t = this.#o.tls;
        return streamTransport(
          () =>
            tls.connect({
              host,
              port,
              servername: net.isIP(host) ? undefined : host,
              rejectUnauthorized: !t?.skipVerify,
              ...(t?.ca ? { ca: readFileSync(t.ca) } : {}),
              ...(t?.cert ? { cert: readFileSync(t.cert) } : {}),
              ...(t?.key ? { key: readFileSync(t.key) } : {}),
            }),
          'secureConnect',
        );
      }
      case 'udp':
        return udpTransport(address.address);
    }
  }

  /** Sends each message; empty lines are skipped, as dockerd skips them. */
  async log(msgs: readonly LogMessage[]): Promise<void> {
    const o = this.#o;
    const framed = o.address.proto === 'tcp+tls' && (o.format === 'rfc5424' || o.format === 'rfc5424micro');
    for (const m of msgs) {
      if (m.line.length === 0) continue;
      const severity = m.source === 'stderr' ? 3 : 6;
      const text = formatSyslog(o.format, { priority: o.facility | severity, time: m.time, hostname: o.hostname, tag: o.tag, pid: o.pid, content: m.line.toString() }, framed);
      await this.#send(Buffer.from(text));
    }
  }

  /** srslog retries a failed write once on a new connection; a message that still fails is dropped. */
  async #send(data: Buffer): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        if (!this.#transport) {
          // do not hammer an absent server: one reconnection attempt a second
          if (Date.now() - this.#lastFailure < 1000) break;
          this.#transport = await this.#connect();
        }
        await this.#transport.write(data);
        return;
      } catch (err) {
        this.#transport?.close();
        this.#transport = undefined;
        this.#lastFailure = Date.now();
        if (attempt === 1) this.#o.log.warn('syslog: message not delivered', { error: err });
      }
    }
    if (this.#dropped++ % 1000 === 0) this.#o.log.warn('syslog: server unreachable, dropping messages', { dropped: this.#dropped });
  }

  close(): void {
    this.#transport?.close();
    this.#transport = undefined;
  }
}

function splitHostPort(hostPort: string): [string, number] {
  const i = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, i).replace(/^\[(.*)\]$/, '$1'), Number(hostPort.slice(i + 1))];
}

function streamTransport(make: () => net.Socket, connectEvent = 'connect'): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = make();
    let failed: Error | undefined;
    socket.once('error', reject);
    socket.once(connectEvent, () => {
      socket.off('error', reject);
      socket.on('error', (err) => (failed = err));
      socket.on('close', () => (failed ??= new Error('connection closed')));
      // a syslog server sends nothing; reading keeps the close noticed
      socket.resume();
      resolve({
        write: (data) =>
          new Promise<void>((res, rej) => {
            if (failed || socket.destroyed) return rej(failed ?? new Error('connection closed'));
            socket.write(data, (err) => (err ? rej(err) : res()));
          }),
        close: () => socket.destroy(),
      });
    });
  });
}

function datagramTransport(port: UnixDatagramPort, path: string): Transport {
  const fd = port.connect(path);
  return {
    write: async (data) => {
      if (!port.send(fd, data)) throw new Error('syslog receiver queue full');
    },
    close: () => port.close(fd),
  };
}

function udpTransport(hostPort: string): Promise<Transport> {
  const [host, port] = splitHostPort(hostPort);
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve({
        write: (data) => new Promise<void>((res, rej) => socket.send(data, (err) => (err ? rej(err) : res()))),
        close: () => socket.close(),
      });
    });
  });
}
