// Crash points for tests of crash safety (like etcd's gofail): when BERTH_FAULT names a point,
// the daemon kills itself with SIGKILL when it gets there, leaving whatever a real crash would.
// Unset in normal operation, where a check costs one comparison.
const armed = process.env.BERTH_FAULT;

export function faultPoint(name: string): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
