// Network namespaces a test makes for itself, as persistent namespace files (unshare --net=FILE)
// under the test's own directory: a daemon or registry started in one reaches only what the test
// put there (loopback, up), so lookups of outside hosts fail at once instead of leaving the
// machine.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

/** Makes a namespace with only loopback, up, bound to the file `path`. */
export function createNetns(path: string): string {
  writeFileSync(path, ''); // the bind mount's target
  const r = spawnSync('unshare', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unshare --net=${path}: ${r.stderr}`);
  return path;
}

/** The argv that runs `cmd args` inside the namespace (nsenter execs it: the pid is the command's). */
export function inNetns(path: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ['nsenter', [`--net=${path}`, cmd, ...args]];
}

/** Unbinds the namespace file; the namespace goes once no process is left in it. */
export function removeNetns(path: string): void {
  if (!existsSync(path)) return;
  spawnSync('umount', ['-l', path]);
  rmSync(path, { force: true });
}
