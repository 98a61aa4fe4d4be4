// The kernel boundary's types: the few system calls Node lacks. Everything else in Berth uses node:fs and
// node:net. Namespace work (unshare/setns) never happens here: those calls affect only the calling
// thread, while libuv's pool threads stay behind; runc, conmon or a child process do it instead.
import net from 'node:net';

export interface Syscalls {
  mount(source: string, target: string, fstype: string, flags: number, data?: string): void;
  umount(target: string, flags?: number): void;
  /**
   * Mounts with `source` and `target` (and paths inside `data`) relative to `dir`, from a child
   * process whose working directory it is: overlay's lowerdir list of a deep image only fits in
   * the kernel's one-page mount data as short relative links. berthd never changes its own cwd
   * (libuv's pool threads share it), so this is mount(8) run in `dir`.
   */
  mountIn(dir: string, mount: { source: string; target: string; fstype: string; data: string }): Promise<void>;
  /** The mount points of berthd's mount namespace (/proc/self/mountinfo), as plain paths. */
  mountTargets(): string[];
  /** mode includes the file type bits (S_IFCHR, S_IFBLK, S_IFIFO). */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** Sets an extended attribute on the path itself, never following a symlink. */
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** The attribute's value, or undefined when the path has no such attribute. */
  lgetxattr(path: string, name: string): Buffer | undefined;
  llistxattr(path: string): string[];
  /** Opens a connected AF_UNIX SOCK_SEQPACKET socket (conmon's attach socket) and returns its fd. */
  connectSeqpacket(path: string): number;
  /** Opens a connected AF_UNIX SOCK_DGRAM socket (a local syslog: Node has no unix datagrams). */
  connectDatagram(path: string): number;
  /**
   * Sends one datagram without blocking (MSG_DONTWAIT, MSG_NOSIGNAL): false when the receiver's
   * queue is full; a receiver gone is an error.
   */
  sendDatagram(fd: number, data: Buffer): boolean;
  /**
   * The packets still queued on a socket, read without blocking until none is left or the peer's
   * close is reached. libuv ends a SOCK_SEQPACKET stream at the peer's hangup after a short read,
   * which for packets means "one of several", so the rest must be collected this way.
   */
  recvQueued(fd: number, maxPacket: number): Buffer[];
  /** dup(2): a second descriptor for the same open socket or file (close it with fs.closeSync). */
  dup(fd: number): number;
  /** fcntl(F_SETPIPE_SZ): the pipe's buffer size; returns the size the kernel set. */
  setPipeSize(fd: number, bytes: number): number;
  /** flock(LOCK_EX|LOCK_NB) on an open fd: false when another process holds the lock. */
  tryLock(fd: number): boolean;
  /** glibc's malloc_trim(0): gives memory freed after a burst of work back to the system. */
  mallocTrim(): void;
}

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MNT_DETACH = 0x2;

export const S_IFMT = 0o170000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** An errno failure shaped like Node's own system errors (code, errno, syscall, path). */
export class SyscallError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly path: string | undefined;
  constructor(syscall: string, errno: number, code: string, path?: string) {
    super(`${syscall}${path ? ` ${path}` : ''}: ${code} (errno ${errno})`);
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
    this.path = path;
  }
}

interface PipeWrap {
  Pipe: new (type: number) => { open(fd: number): number };
  constants: { SOCKET: number };
}

/**
 * Node's internal pipe_wrap binding — the one internal Node API Berth uses. There is no supported
 * way to put a SOCK_SEQPACKET fd under libuv: `new net.Socket({ fd })` asks libuv to guess the
 * handle type and libuv names SEQPACKET "unknown" (ERR_INVALID_FD_TYPE), while reading the fd with
 * fs would hold a libuv pool thread per attached session. So the risk is isolated here, checked
 * before use with a message naming it, and syscalls.test.ts fails loudly when Node changes: when
 * pipe_wrap goes or changes shape, when packets stop arriving one per read, and when net.Socket
 * starts accepting SEQPACKET fds (then this should go).
 */
export function pipeWrap(): PipeWrap {
  const binding = (process as unknown as { binding?(name: string): unknown }).binding?.('pipe_wrap') as Partial<PipeWrap> | undefined;
  if (typeof binding?.Pipe !== 'function' || typeof binding.constants?.SOCKET !== 'number') {
    throw new Error(`Node ${process.version} offers no process.binding('pipe_wrap') with Pipe and constants.SOCKET: conmon's SOCK_SEQPACKET attach sockets cannot be opened`);
  }
  return binding as PipeWrap;
}

/**
 * Wraps a connected stream-like fd (a SOCK_SEQPACKET socket) in a net.Socket, through pipeWrap();
 * reads then return one packet each. Writes must not be coalesced (each write is one packet), so
 * the vectored write path is disabled.
 */
export function socketFromFd(fd: number, options: { allowHalfOpen?: boolean } = {}): net.Socket {
  const binding = pipeWrap();
  const handle = new binding.Pipe(binding.constants.SOCKET);
  const rc = handle.open(fd);
  if (rc !== 0) throw new SyscallError('uv_pipe_open', -rc, 'EINVAL');
  const socket = new net.Socket({ handle, readable: true, writable: true, allowHalfOpen: !!options.allowHalfOpen } as net.SocketConstructorOpts);
  (socket as unknown as { _writev: unknown })._writev = null;
  return socket;
}
