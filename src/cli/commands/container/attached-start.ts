// The attached start shared by `run` and `start -a`: attach to the created container, register
// the wait for its exit, start it inside an attached session, and report how the session ended.
import type { Client } from '../../../client/index.ts';
import type { ContainerWaitResponse } from '../../../types/index.ts';
import type { CliContext } from '../../command.ts';
import { attachedSession } from '../../streams.ts';

export interface AttachedStartOptions {
  tty: boolean;
  /** The streams to attach; none leaves the session out (the exit is still awaited). */
  streams: { stdin: boolean; stdout: boolean; stderr: boolean };
  detachKeys: Buffer;
  /** The --detach-keys flag as given, for the daemon. */
  detachKeysFlag: string | undefined;
  /** What ends the wait: the next exit, or the removal of a --rm container. */
  condition: 'next-exit' | 'removed';
  /** Forward our signals to the container (non-tty sessions). */
  proxySignals: boolean;
  /** The error to end with when the daemon refuses to start the container. */
  startError(err: unknown): Error;
}

/**
 * Starts container `id` with our terminal attached. The wait is registered before the start so
 * an exit cannot be missed; `exit` settles with it. A session ended by the detach keys leaves the
 * container running.
 */
export async function attachedStart(
  ctx: CliContext,
  client: Client,
  id: string,
  options: AttachedStartOptions,
): Promise<{ detached: true } | { detached: false; exit: Promise<ContainerWaitResponse> }> {
  const { streams } = options;
  // Both are in place before the start, as the docker CLI has them; asked for together they cost
  // one round trip to the daemon instead of two.
  const attaching =
    streams.stdin || streams.stdout || streams.stderr ? client.containers.attach(id, { stream: true, ...streams, detachKeys: options.detachKeysFlag }) : Promise.resolve(undefined);
  const waiting = client.containers.waitFor(id, options.condition);
  let stream;
  let exit;
  try {
    [stream, { exit }] = await Promise.all([attaching, waiting]);
  } catch (err) {
    attaching.then((s) => s?.destroy(), () => {});
    throw err;
  }
  const start = async () => {
    try {
      await client.containers.start(id);
    } catch (err) {
      throw options.startError(err);
    }
  };
  if (!stream) {
    await start();
    return { detached: false, exit };
  }
  const outcome = await attachedSession(ctx, client, stream, {
    tty: options.tty,
    stdin: streams.stdin,
    detachKeys: options.detachKeys,
    resize: (size) => client.containers.resize(id, size),
    ...(options.proxySignals ? { proxyTo: id } : {}),
    begin: start,
  });
  return outcome === 'detached' ? { detached: true } : { detached: false, exit };
}
