// A Syscalls for unit tests that need no root: it records mounts instead of making them, keeps
// xattrs in memory and stands for device nodes with empty regular files.
import { writeFileSync } from 'node:fs';
import { SyscallError, type Syscalls } from './syscalls.ts';

export interface FakeMount { source: string; target: string; fstype: string; flags: number; data?: string }

export class FakeSyscalls implements Syscalls {
  readonly mounts: FakeMount[] = [];
  readonly nodes = new Map<string, { mode: number; major: number; minor: number }>();
  readonly xattrs = new Map<string, Map<string, Buffer>>();

  mount(source: string, target: string, fstype: string, flags: number, data?: string): void {
    this.mounts.push({ source, target, fstype, flags, ...(data === undefined ? {} : { data }) });
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

  readonly locks = new Set<number>();
  trims = 0;

  mallocTrim(): void {
    this.trims++;
  }

  tryLock(fd: number): boolean {
    if (this.locks.has(fd)) return false;
    this.locks.add(fd);
    return true;
  }

  recvQueued(): Buffer[] {
    return [];
  }

  dup(fd: number): number {
    throw new SyscallError('dup', 9, 'EBADF', String(fd));
  }

  connectSeqpacket(path: string): number {
    throw new SyscallError('connect', 111, 'ECONNREFUSED', path);
  }
}
