// docker's loop over the objects a command names (rm, rmi, stop, kill, start, network rm, volume
// rm…): each one acted on in turn, its result printed as it comes, its failure on stderr, and the
// rest still done.
import type { CliContext } from './command.ts';
import { daemonError } from './errors.ts';

export interface EachResult {
  /** The names whose action failed, in order. */
  failed: string[];
  /** docker's exit status: 1 when any failed. */
  status: number;
}

/**
 * Runs `act` for each name; prints the line(s) it returns on stdout, or the error on stderr.
 * `skip` marks errors that are not failures (`network rm -f` of a missing network): nothing is
 * printed for them.
 */
export async function forEachName(
  ctx: CliContext,
  names: readonly string[],
  act: (name: string) => Promise<string | readonly string[] | undefined>,
  options: { skip?: (err: unknown) => boolean } = {},
): Promise<EachResult> {
  const failed: string[] = [];
  for (const name of names) {
    try {
      const out = await act(name);
      for (const line of typeof out === 'string' ? [out] : (out ?? [])) ctx.stdout.write(`${line}\n`);
    } catch (err) {
      if (options.skip?.(err)) continue;
      failed.push(name);
      ctx.stderr.write(`${daemonError(err)}\n`);
    }
  }
  return { failed, status: failed.length ? 1 : 0 };
}
