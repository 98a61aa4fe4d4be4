// One connection to conmon's attach socket (SOCK_SEQPACKET). Each packet conmon sends starts with
// a byte naming the stream (2 stdout, 3 stderr); what we send is the container's stdin, at most
// one packet's worth per write so conmon's buffer never truncates it.
//
// The socket comes through libuv, which treats a short read followed by the peer's hangup as the
// end of the stream. For packets that is wrong: each read returns one packet, however many are
// queued, so when conmon writes the last output and exits, all but the first of the final packets
// would be lost. The socket is therefore half-open, and at its end the queue is drained directly.
//
// The same loss happens through an error: when conmon exits while stdin we sent is still unread in
// its queue, the kernel reports ECONNRESET on our next read, and stdin we send after it stopped
// reading fails with EPIPE — while the output packets queued for us stay readable. libuv turns
// either into an error and closes the fd, so the queue is drained through a second descriptor of
// the same socket (`queue`), held until the end.
import { EventEmitter } from 'node:events';
import type net from 'node:net';

export type OutputStream = 'stdout' | 'stderr';

const maxPacket = 8192;

/** The packets still queued on the socket, read through a descriptor of our own. */
export interface PacketQueue {
  drain(): Buffer[];
  /** Closes that descriptor. */
  release(): void;
}

export class AttachConnection extends EventEmitter<{ data: [OutputStream, Buffer]; end: []; error: [Error] }> {
  #socket: net.Socket;
  #queue: PacketQueue;
  #ended = false;
  /** The stdin writes asked for so far, settled in order. */
  #stdin: Promise<void> = Promise.resolve();

  /** `socket` must allow half-open connections, so that its fd is still open at the end. */
  constructor(socket: net.Socket, queue: PacketQueue) {
    super();
    this.#socket = socket;
    this.#queue = queue;
    socket.on('data', (packet: Buffer) => this.#packet(packet));
    socket.on('end', () => this.#drainAndFinish());
    socket.on('close', () => this.#finish());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // conmon went away before reading all our stdin: its output is still queued for us.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.#drainAndFinish();
      else this.emit('error', err);
    });
  }

  #drainAndFinish(): void {
    if (this.#ended) return;
    for (const packet of this.#queue.drain()) this.#packet(packet);
    this.#socket.destroy();
    this.#finish();
  }

  #packet(packet: Buffer): void {
    if (packet.length < 1) return;
    const stream = packet[0] === 3 ? 'stderr' : 'stdout';
    if (packet.length > 1) this.emit('data', stream, packet.subarray(1));
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue.release();
    this.emit('end');
  }

  /**
   * Sends stdin data; resolves when the socket accepted it (backpressure). Writes go out in the
   * order they were asked for, each after the one before has been accepted, whoever awaits them.
   */
  writeStdin(data: Buffer): Promise<void> {
    const write = this.#stdin.then(() => this.#write(data));
    this.#stdin = write.catch(() => {});
    return write;
  }

  async #write(data: Buffer): Promise<void> {
    for (let off = 0; off < data.length; off += maxPacket) {
      if (this.#socket.destroyed || this.#socket.writableEnded) return;
      const chunk = data.subarray(off, off + maxPacket);
      if (!this.#socket.write(chunk)) await this.#drained();
    }
  }

  /** Until the socket takes more, or is gone. */
  #drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  /**
   * Closes our sending side once the stdin asked for before has gone out: conmon then closes the
   * container's stdin (unless told to keep it). Ended at once, the socket would refuse the writes
   * still waiting for its buffer to drain.
   */
  closeStdin(): void {
    void this.#stdin.then(() => {
      if (!this.#socket.destroyed) this.#socket.end();
    });
  }

  close(): void {
    this.#socket.destroy();
    this.#finish();
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }
}
