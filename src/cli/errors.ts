// How commands fail: an exit status with a message, and the daemon's errors in docker's words.
import { ApiError } from '../client/index.ts';

/** An error that ends the CLI with a given status, printing `message` when set. */
export class StatusError extends Error {
  readonly status: number;
  constructor(status: number, message = '') {
    super(message);
    this.status = status;
  }
}

/** An error as docker's CLI prints it: "Error response from daemon: …" for the daemon's answers. */
export function daemonError(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Awaits a daemon call; its failure ends the command with status 1 and the daemon's message. */
export async function daemonCall<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw new StatusError(1, daemonError(err));
  }
}

/** Whether the daemon answered 404 (no such object). */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}
