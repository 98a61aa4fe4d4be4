// The real implementations of Berth's ports against the same contract suites their fakes pass in
// the unit tier: the kernel calls (koffi, as root), the system clock and the host's ps. The
// container runtime's is in runtime.test.ts.
import { HostProcessTable } from '../../../src/engine/index.ts';
import { processTableContract } from '../../../src/engine/ps.contract.ts';
import { clockContract } from '../../../src/lib/clock.contract.ts';
import { systemClock } from '../../../src/lib/index.ts';
import { syscallsContract } from '../../../src/sys/syscalls.contract.ts';
import { loadSyscalls } from '../../../src/sys/index.ts';

syscallsContract('koffi (libc)', () => loadSyscalls());

clockContract('systemClock', () => ({ clock: systemClock, elapse: (ms) => new Promise((r) => setTimeout(r, ms)) }));

processTableContract('the host ps', () => ({ table: new HostProcessTable(), pid: process.pid, command: 'node' }));
