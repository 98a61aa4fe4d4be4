// The real implementations of Berth's ports against the same contract suites their fakes pass in
// the unit tier: the kernel calls (koffi, as root) and the system clock.
import { clockContract } from '../../../src/lib/clock.contract.ts';
import { systemClock } from '../../../src/lib/index.ts';
import { syscallsContract } from '../../../src/sys/syscalls.contract.ts';
import { loadSyscalls } from '../../../src/sys/index.ts';

syscallsContract('koffi (libc)', () => loadSyscalls());

clockContract('systemClock', () => ({ clock: systemClock, elapse: (ms) => new Promise((r) => setTimeout(r, ms)) }));
