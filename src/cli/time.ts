// --since/--until values as the docker CLI sends them: a unix time "seconds.nanoseconds".
import { parseTimestamp } from '../lib/index.ts';
import { StatusError } from './errors.ts';

export function parseTimestampArg(value: string, now = new Date()): string {
  let ns: bigint;
  try {
    ns = parseTimestamp(value, now);
  } catch (err) {
    throw new StatusError(1, (err as Error).message);
  }
  const secs = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${secs}.${frac}`;
}
