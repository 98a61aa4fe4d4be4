// Plumbing between a hijacked connection and a live attach or exec session: the client's bytes
// go to the process's stdin (with backpressure), its half-close closes stdin, and its disconnect
// drops the session — never the container.
import type { Duplex } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { defaultDetachKeys, parseDetachKeys } from '../lib/index.ts';
import type { AttachSession } from '../engine/index.ts';

export async function pumpSession(conn: Duplex, session: AttachSession, options: { stdin: boolean }): Promise<void> {
  conn.on('close', () => session.close());
  conn.on('error', () => session.close());
  if (options.stdin) {
    conn.on('data', (d: Buffer) => {
      conn.pause();
      session.writeStdin(d).then(
        () => conn.resume(),
        () => session.close(),
      );
    });
    conn.on('end', () => session.closeStdin());
  }
  // The hijacked connection arrives paused, so no byte or end sent early is lost.
  conn.resume();
  try {
    await session.done;
  } catch {
    // the process failed to start: the client learns it from the start request's response
  }
  conn.end();
}

/** The `detachKeys` parameter (docker's default when absent); 400 when it cannot be parsed. */
export function detachKeysParam(value: string | null | undefined): Buffer {
  try {
    return parseDetachKeys(value || defaultDetachKeys);
  } catch (err) {
    throw new InvalidArgument((err as Error).message);
  }
}
