// Linux signal names and numbers as docker reads them (moby/sys/signal): "SIGTERM", "TERM",
// "sigkill", "15", "SIGRTMIN+3", "RTMAX-1". Numbers are those of x86-64 and arm64 Linux, with
// glibc's SIGRTMIN (34): the kernel's 32 and 33 belong to the C library, not to containers.
import { InvalidArgument } from '../errors/index.ts';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** Canonical names first: signalName() answers the first name listed for a number. */
const namedSignals: readonly (readonly [string, number])[] = [
  ['HUP', 1], ['INT', 2], ['QUIT', 3], ['ILL', 4], ['TRAP', 5], ['ABRT', 6], ['IOT', 6], ['BUS', 7],
  ['FPE', 8], ['KILL', 9], ['USR1', 10], ['SEGV', 11], ['USR2', 12], ['PIPE', 13], ['ALRM', 14],
  ['TERM', 15], ['STKFLT', 16], ['CHLD', 17], ['CLD', 17], ['CONT', 18], ['STOP', 19], ['TSTP', 20],
  ['TTIN', 21], ['TTOU', 22], ['URG', 23], ['XCPU', 24], ['XFSZ', 25], ['VTALRM', 26], ['PROF', 27],
  ['WINCH', 28], ['IO', 29], ['POLL', 29], ['PWR', 30], ['SYS', 31],
];

// moby names the real-time signals from both ends: RTMIN..RTMIN+15, then RTMAX-14..RTMAX.
function realTimeName(n: number): string {
  if (n === SIGRTMIN) return 'RTMIN';
  if (n === SIGRTMAX) return 'RTMAX';
  return n - SIGRTMIN <= 15 ? `RTMIN+${n - SIGRTMIN}` : `RTMAX-${SIGRTMAX - n}`;
}

const byName = new Map<string, number>(namedSignals);
const byNumber = new Map<number, string>();
for (const [name, n] of namedSignals) if (!byNumber.has(n)) byNumber.set(n, name);
for (let n = SIGRTMIN; n <= SIGRTMAX; n++) {
  byName.set(realTimeName(n), n);
  byNumber.set(n, realTimeName(n));
}

export interface Signal {
  /** The canonical name with its "SIG" prefix: "SIGTERM", "SIGRTMIN+3". */
  name: string;
  number: number;
}

/**
 * moby's signal.ParseSignal followed by dockerd's platform check: a decimal number, or a name
 * with or without "SIG" in any case. An unknown name, "0" or a non-number is
 * "Invalid signal: <raw>"; a number that is no Linux signal is what dockerd answers for it.
 */
export function parseSignal(raw: string): Signal {
  // Go's strconv.Atoi: optional sign, decimal digits.
  if (/^[+-]?\d+$/.test(raw)) {
    const n = BigInt(raw);
    if (n === 0n) throw new InvalidArgument(`Invalid signal: ${raw}`);
    // Past int64 Atoi fails and docker goes on to look the text up as a name.
    if (n >= -(2n ** 63n) && n < 2n ** 63n) {
      const name = byNumber.get(Number(n));
      if (name === undefined) throw new InvalidArgument(`the linux daemon does not support signal ${n}`);
      return { name: `SIG${name}`, number: Number(n) };
    }
  }
  const upper = raw.toUpperCase();
  const n = byName.get(upper.startsWith('SIG') ? upper.slice(3) : upper);
  if (n === undefined) throw new InvalidArgument(`Invalid signal: ${raw}`);
  return { name: `SIG${byNumber.get(n)}`, number: n };
}

/** The canonical name of a Linux signal number ("SIGKILL" for 9), or undefined for none. */
export function signalName(n: number): string | undefined {
  const name = byNumber.get(n);
  return name === undefined ? undefined : `SIG${name}`;
}
