// The kernel boundary: the few system calls Node lacks. Everything else in Berth uses node:fs and
// node:net. Namespace work (unshare/setns) never happens here: those calls affect only the calling
// thread, while libuv's pool threads stay behind; runc, conmon or a child process do it instead.
export * from './syscalls.ts';
export { loadSyscalls } from './koffi.ts';
export { FakeSyscalls } from './fake.ts';
export { loadTerminal, FakeTerminal, OPOST, type Terminal } from './termios.ts';
