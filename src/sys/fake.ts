// A Syscalls for unit tests that need no root: it records mounts instead of making them, keeps
// xattrs in memory and stands for device nodes with empty regular files. Where the kernel's answer
// is observable (a missing mount point, a path that is not mounted, a lock another open file
// holds), it answers as the kernel does; syscalls.contract.ts holds both to that.
import { existsSync, fstatSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SyscallError, type Syscalls } from './syscalls.ts';

export interface FakeMount { source: string; target: string; fstype: string; flags: number; data?: string }

export class FakeSyscalls implements Syscalls {
  readonly mounts: FakeMount[] = [];
  readonly nodes = new Map<string, { mode: number; major: number; minor: number }>();
  readonly xattrs = new Map<string, Map<string, Buffer>>();

  mount(source: string, target: string, fstype: string, flags: number, data?: string): void {
    if (!existsSync(target)) throw new SyscallError('mount', 2, 'ENOENT', target);
    this.mounts.push({ source, target, fstype, flags, ...(data === undefined ? {} : { data }) });
  }

  async mountIn(dir: string, m: { source: string; target: string; fstype: string; data: string }): Promise<void> {
    this.mount(m.source, resolve(dir, m.target), m.fstype, 0, m.data);
  }

  mountTargets(): string[] {
    return this.mounts.map((m) => m.target);
  }

  umount(target: string): void {
    const i = this.mounts.findLastIndex((m) => m.target === target);
    if (i < 0) throw new SyscallError('umount2', 22, 'EINVAL', target);
    this.mounts.splice(i, 1);
  }

  mknod(path: string, mode: number, major: number, minor: number): void {
    writeFileSync(path, '', { flag: 'wx' });
    this.nodes.set(path, { mode, major, minor });
  }

  lsetxattr(path: string, name: string, value: Buffer): void {
    let attrs = this.xattrs.get(path);
    if (!attrs) this.xattrs.set(path, (attrs = new Map()));
    attrs.set(name, Buffer.from(value));
  }

  lgetxattr(path: string, name: string): Buffer | undefined {
    return this.xattrs.get(path)?.get(name);
  }

  llistxattr(path: string): string[] {
    return [...(this.xattrs.get(path)?.keys() ?? [])];
  }

  /** Pipes keep the kernel's default size here. */
  setPipeSize(fd: number): number {
    if (fileKey(fd) === undefined) throw new SyscallError('fcntl', 9, 'EBADF');
    return 65536;
  }

  /** Held flocks: file (dev:ino) → the fd holding it. */
  readonly #locks = new Map<string, number>();
  trims = 0;

  mallocTrim(): void {
    this.trims++;
  }

  /**
   * flock's rules as far as one process sees them: a lock belongs to the open file, so the fd that
   * holds it may lock again, another fd on the same file may not, and closing the holder frees it.
   */
  tryLock(fd: number): boolean {
    const file = fileKey(fd);
    if (file === undefined) throw new SyscallError('flock', 9, 'EBADF');
    const holder = this.#locks.get(file);
    if (holder !== undefined && holder !== fd && fileKey(holder) === file) return false;
    this.#locks.set(file, fd);
    return true;
  }

  recvQueued(): Buffer[] {
    return [];
  }

  dup(fd: number): number {
    throw new SyscallError('dup', 9, 'EBADF', String(fd));
  }

  /** Nothing listens in a test: a missing socket is ENOENT, an existing one refuses. */
  connectSeqpacket(path: string): number {
    if (!existsSync(path)) throw new SyscallError('connect', 2, 'ENOENT', path);
    throw new SyscallError('connect', 111, 'ECONNREFUSED', path);
  }

  connectDatagram(path: string): number {
    return this.connectSeqpacket(path);
  }

  sendDatagram(fd: number): boolean {
    throw new SyscallError('send', 9, 'EBADF', String(fd));
  }
}

function fileKey(fd: number): string | undefined {
  try {
    const st = fstatSync(fd);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}
