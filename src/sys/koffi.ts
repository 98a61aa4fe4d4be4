// The real Syscalls, calling libc through koffi (an FFI library installed prebuilt from npm).
// Chosen over a C addon: no compiler needed on the target, and each call costs well under a
// microsecond, which matters when a layer extraction makes one mknod or lsetxattr per file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { execProgram } from '../lib/index.ts';
import { SyscallError, type Syscalls } from './syscalls.ts';

const ENODATA = 61;
const errnoNames = new Map<number, string>(
  Object.entries(os.constants.errno).map(([name, num]) => [num, name]),
);

interface KoffiFn { (...args: unknown[]): number }

export function loadSyscalls(): Syscalls {
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as {
    load(path: string): { func(decl: string): KoffiFn };
    errno(): number;
  };
  const libc = koffi.load('libc.so.6');
  const fns = {
    mount: libc.func('int mount(const char *src, const char *tgt, const char *fstype, unsigned long flags, const char *data)'),
    umount2: libc.func('int umount2(const char *tgt, int flags)'),
    mknod: libc.func('int mknod(const char *path, unsigned int mode, unsigned long dev)'),
    lsetxattr: libc.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
    lgetxattr: libc.func('long lgetxattr(const char *path, const char *name, void *value, size_t size)'),
    llistxattr: libc.func('long llistxattr(const char *path, void *list, size_t size)'),
    socket: libc.func('int socket(int domain, int type, int protocol)'),
    connect: libc.func('int connect(int fd, const void *addr, int len)'),
    close: libc.func('int close(int fd)'),
    dup: libc.func('int dup(int fd)'),
    flock: libc.func('int flock(int fd, int op)'),
    fcntl: libc.func('int fcntl(int fd, int cmd, ...)'),
    recv: libc.func('long recv(int fd, void *buf, size_t len, int flags)'),
    send: libc.func('long send(int fd, const void *buf, size_t len, int flags)'),
    mallocTrim: libc.func('int malloc_trim(size_t pad)'),
  };
  const fail = (syscall: string, path?: string): never => {
    const errno = koffi.errno();
    throw new SyscallError(syscall, errno, errnoNames.get(errno) ?? `E${errno}`, path);
  };
  // glibc's makedev for the 64-bit dev_t layout.
  const makedev = (major: number, minor: number): bigint =>
    ((BigInt(major) & 0xfffn) << 8n) |
    ((BigInt(major) & ~0xfffn) << 32n) |
    (BigInt(minor) & 0xffn) |
    ((BigInt(minor) & ~0xffn) << 12n);

  const connectUnix = (path: string, type: number): number => {
    const AF_UNIX = 1;
    const SOCK_CLOEXEC = 0o2000000;
    const addr = Buffer.alloc(110);
    const pathBytes = Buffer.from(path);
    if (pathBytes.length > 107) throw new SyscallError('connect', 36, 'ENAMETOOLONG', path);
    addr.writeUInt16LE(AF_UNIX, 0);
    pathBytes.copy(addr, 2);
    const fd = fns.socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) fail('socket', path);
    if (fns.connect(fd, addr, 2 + pathBytes.length + 1) !== 0) {
      const errno = koffi.errno();
      fns.close(fd);
      throw new SyscallError('connect', errno, errnoNames.get(errno) ?? `E${errno}`, path);
    }
    return fd;
  };

  return {
    mount(source, target, fstype, flags, data) {
      if (fns.mount(source, target, fstype, flags, data ?? null) !== 0) fail('mount', target);
    },
    umount(target, flags = 0) {
      if (fns.umount2(target, flags) !== 0) fail('umount2', target);
    },
    async mountIn(dir, m) {
      await execProgram('mount', ['-t', m.fstype, m.source, '-o', m.data, m.target], { cwd: dir });
    },
    mountTargets() {
      // The fifth field; the kernel escapes space, tab, newline and backslash as octal.
      return readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
    },
    mknod(path, mode, major, minor) {
      if (fns.mknod(path, mode, makedev(major, minor)) !== 0) fail('mknod', path);
    },
    lsetxattr(path, name, value) {
      if (fns.lsetxattr(path, name, value, value.length, 0) !== 0) fail('lsetxattr', path);
    },
    lgetxattr(path, name) {
      let size = 256;
      for (;;) {
        const buf = Buffer.alloc(size);
        const n = fns.lgetxattr(path, name, buf, size);
        if (n >= 0) return buf.subarray(0, n);
        const errno = koffi.errno();
        if (errno === ENODATA) return undefined;
        if (errnoNames.get(errno) === 'ERANGE' && size < 1 << 20) {
          size *= 16;
          continue;
        }
        return fail('lgetxattr', path);
      }
    },
    llistxattr(path) {
      // Ask for the size first: most files have no xattrs, and then nothing is allocated.
      let size = fns.llistxattr(path, null, 0);
      if (size < 0) return fail('llistxattr', path);
      if (size === 0) return [];
      for (;;) {
        const buf = Buffer.allocUnsafe(size);
        const n = fns.llistxattr(path, buf, size);
        if (n >= 0) return buf.subarray(0, n).toString('latin1').split('\0').filter(Boolean);
        if (errnoNames.get(koffi.errno()) === 'ERANGE' && size < 1 << 20) {
          size *= 2; // it grew between the two calls
          continue;
        }
        return fail('llistxattr', path);
      }
    },
    mallocTrim() {
      fns.mallocTrim(0);
    },
    dup(fd) {
      const copy = fns.dup(fd);
      if (copy < 0) fail('dup');
      return copy;
    },
    setPipeSize(fd, bytes) {
      const F_SETPIPE_SZ = 1031;
      const size = fns.fcntl(fd, F_SETPIPE_SZ, 'int', bytes);
      if (size < 0) fail('fcntl');
      return size;
    },
    tryLock(fd) {
      const LOCK_EX = 2;
      const LOCK_NB = 4;
      if (fns.flock(fd, LOCK_EX | LOCK_NB) === 0) return true;
      if (errnoNames.get(koffi.errno()) === 'EWOULDBLOCK' || errnoNames.get(koffi.errno()) === 'EAGAIN') return false;
      return fail('flock');
    },
    recvQueued(fd, maxPacket) {
      const MSG_DONTWAIT = 0x40;
      const packets: Buffer[] = [];
      for (;;) {
        const buf = Buffer.alloc(maxPacket);
        const n = fns.recv(fd, buf, maxPacket, MSG_DONTWAIT);
        if (n <= 0) return packets; // 0: the peer's close; -1: EAGAIN, or the socket is gone
        packets.push(buf.subarray(0, n));
      }
    },
    connectSeqpacket(path) {
      return connectUnix(path, 5); // SOCK_SEQPACKET
    },
    connectDatagram(path) {
      return connectUnix(path, 2); // SOCK_DGRAM
    },
    sendDatagram(fd, data) {
      const MSG_DONTWAIT = 0x40;
      const MSG_NOSIGNAL = 0x4000;
      if (fns.send(fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return true;
      const name = errnoNames.get(koffi.errno());
      if (name === 'EAGAIN' || name === 'EWOULDBLOCK') return false;
      return fail('send');
    },
  };
}
