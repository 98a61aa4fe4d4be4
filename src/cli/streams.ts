// Client-side stream plumbing: attach sessions, JSON progress output, signal proxying.
import type { Duplex } from 'node:stream';
import { demux, jsonMessages, type Client } from '../client/index.ts';
import type { CliContext } from './command.ts';

/** Shows a JSON progress stream (pull, import, load) the way docker does on a non-terminal. */
export async function showProgress(ctx: CliContext, input: NodeJS.ReadableStream, options: { quiet?: boolean } = {}): Promise<void> {
  for await (const m of jsonMessages(input as import('node:stream').Readable)) {
    if (m.error || m.errorDetail) throw new Error(m.errorDetail?.message ?? m.error);
    if (options.quiet) continue;
    if (m.stream) ctx.stdout.write(m.stream);
    else if (m.status) {
      if (m.progress && !m.id) continue;
      ctx.stdout.write(m.id ? `${m.id}: ${m.status}${m.progress ? ' ' + m.progress : ''}\n` : `${m.status}\n`);
    }
  }
}

export interface AttachedStreams {
  /** Settles when the daemon ends the output. */
  done: Promise<void>;
  stream: Duplex;
}

/** Copies an attach stream to our stdout/stderr (and our stdin to it when `stdin`). */
export function pumpAttach(ctx: CliContext, stream: Duplex, options: { tty: boolean; stdin: boolean }): AttachedStreams {
  const done = demux(
    stream,
    (which, data) =>
      new Promise<void>((resolve) => {
        const out = which === 'stderr' ? ctx.stderr : ctx.stdout;
        if (out.write(data)) resolve();
        else out.once('drain', resolve);
      }),
    { raw: options.tty },
  ).catch(() => {});
  if (options.stdin) {
    ctx.stdin.on('data', (d: Buffer) => {
      if (!stream.write(d)) {
        ctx.stdin.pause();
        stream.once('drain', () => ctx.stdin.resume());
      }
    });
    ctx.stdin.on('end', () => {
      // Half-close: the daemon closes the container's stdin, output keeps flowing.
      (stream as Duplex & { end(): void }).end();
    });
    ctx.stdin.resume();
  }
  return { done, stream };
}

/** Forwards SIGINT/SIGTERM/… to the container while it runs (docker's --sig-proxy). */
export function proxySignals(client: Client, id: string): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const handlers = signals.map((sig) => {
    const h = () => {
      void client.post(`/containers/${encodeURIComponent(id)}/kill`, { query: { signal: sig } }).catch(() => {});
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
