// Where `save` and `export` send a tar stream: a file given with -o (complete or not at all), or
// stdout, which must not be a terminal.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CliContext } from './command.ts';
import { StatusError } from './errors.ts';

/** docker's refusal to write an archive to a terminal. */
export function refuseTerminal(ctx: CliContext, output: string | undefined): void {
  if (!output && ctx.stdout.isTTY) throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
}

/** docker's CopyToFile: a temporary file beside the target, renamed over it once complete. */
async function copyToFile(out: string, stream: Readable): Promise<void> {
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}`);
  try {
    await pipeline(stream, createWriteStream(tmp, { mode: 0o600 }));
    await fsp.rename(tmp, out);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

export async function writeTarOutput(ctx: CliContext, output: string | undefined, stream: Readable): Promise<void> {
  if (output) {
    await copyToFile(output, stream);
    return;
  }
  try {
    await pipeline(stream, ctx.stdout, { end: false });
  } catch (err) {
    // the reader went away (`berth save x | head`): as a Go program killed by SIGPIPE, quietly
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') throw new StatusError(141);
    throw err;
  }
}
