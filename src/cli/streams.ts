// Client-side stream plumbing: attached sessions (attach, exec, run, start -a), JSON progress
// output, signal proxying.
import type { Duplex } from 'node:stream';
import { demux, jsonMessages, type Client } from '../client/index.ts';
import { DetachScanner, defaultDetachKeys, parseDetachKeys } from '../lib/index.ts';
import type { CliContext } from './command.ts';
import { StatusError } from './errors.ts';
import { enterRawMode } from './terminal.ts';

/** The --detach-keys flag as bytes (docker's default when unset); a usage error (125) when invalid. */
export function detachKeysOption(value: string | undefined): Buffer {
  try {
    return parseDetachKeys(value || defaultDetachKeys);
  } catch (err) {
    throw new StatusError(125, (err as Error).message);
  }
}

/**
 * Shows a JSON progress stream (pull, push, import, load) as docker's jsonmessage does: on a
 * terminal, one line per layer id redrawn in place; elsewhere, each status once and no bars.
 * `onAux` receives aux messages (push results).
 */
export async function showProgress(
  ctx: CliContext,
  input: NodeJS.ReadableStream,
  options: { quiet?: boolean; onAux?: (aux: unknown) => void } = {},
): Promise<void> {
  const tty = !!ctx.stdout.isTTY;
  const lines = new Map<string, number>();
  for await (const m of jsonMessages(input as import('node:stream').Readable)) {
    if (m.error || m.errorDetail) throw new Error(m.errorDetail?.message ?? m.error);
    if (m.aux !== undefined) {
      options.onAux?.(m.aux);
      continue;
    }
    if (options.quiet) continue;
    if (m.stream) {
      ctx.stdout.write(m.stream);
      continue;
    }
    if (m.status === undefined) continue;
    const hasProgress = m.progressDetail !== undefined;
    const bar = m.progress ?? '';
    if (!tty) {
      // docker leaves progress bars out of non-terminal output
      if (bar || (m.progressDetail?.total ?? 0) > 0) continue;
      ctx.stdout.write(m.id ? `${m.id}: ${m.status}\n` : `${m.status}\n`);
      continue;
    }
    let up = 0;
    if (m.id && hasProgress) {
      let line = lines.get(m.id);
      if (line === undefined) {
        line = lines.size;
        lines.set(m.id, line);
        ctx.stdout.write('\n');
      }
      up = lines.size - line;
      ctx.stdout.write(`\x1b[${up}A\x1b[2K\r`);
    } else lines.clear();
    const text = `${m.id ? `${m.id}: ` : ''}${m.status}${bar ? ` ${bar}` : ''}`;
    if (up) ctx.stdout.write(`${text}\r\x1b[${up}B`);
    else ctx.stdout.write(`${text}\n`);
  }
}

interface AttachedStreams {
  /** Settles when the daemon ends the output ('ended') or the user typed the detach keys. */
  done: Promise<'ended' | 'detached'>;
  stream: Duplex;
}

/**
 * Copies an attach stream to our stdout/stderr, and our stdin to it when `stdin`. With a tty,
 * keystrokes are watched for the detach sequence here, as the docker CLI does: typing it ends the
 * session and leaves the container running.
 */
function pumpAttach(ctx: CliContext, stream: Duplex, options: { tty: boolean; stdin: boolean; detachKeys?: Buffer }): AttachedStreams {
  let detach!: () => void;
  const detached = new Promise<'detached'>((resolve) => (detach = () => resolve('detached')));
  const output = demux(
    stream,
    (which, data) =>
      new Promise<void>((resolve) => {
        const out = which === 'stderr' ? ctx.stderr : ctx.stdout;
        if (out.write(data)) resolve();
        else out.once('drain', resolve);
      }),
    { raw: options.tty },
  ).then(
    () => 'ended' as const,
    () => 'ended' as const,
  );
  if (options.stdin) {
    const scanner = options.tty && options.detachKeys ? new DetachScanner(options.detachKeys) : undefined;
    const onData = (input: Buffer) => {
      let d = input;
      if (scanner) {
        const r = scanner.feed(input);
        d = r.forward;
        if (r.detached) {
          ctx.stdin.off('data', onData);
          ctx.stdin.pause();
          if (d.length) stream.write(d);
          stream.destroy();
          detach();
          return;
        }
        if (!d.length) return;
      }
      if (!stream.write(d)) {
        ctx.stdin.pause();
        stream.once('drain', () => ctx.stdin.resume());
      }
    };
    ctx.stdin.on('data', onData);
    ctx.stdin.on('end', () => {
      // Half-close: the daemon closes the container's stdin, output keeps flowing.
      (stream as Duplex & { end(): void }).end();
    });
    ctx.stdin.resume();
  }
  return { done: Promise.race([output, detached]), stream };
}

/** Sends our terminal's size now and on every SIGWINCH through `resize`; returns the stop function. */
function monitorTtySize(ctx: CliContext, resize: (size: { h: number; w: number }) => Promise<void>): () => void {
  const out = ctx.stdout as NodeJS.WriteStream;
  if (!out.isTTY) return () => {};
  const send = () => {
    const [w, h] = typeof out.getWindowSize === 'function' ? out.getWindowSize() : [out.columns ?? 80, out.rows ?? 24];
    if (!w || !h) return;
    void resize({ h, w }).catch(() => {});
  };
  send();
  process.on('SIGWINCH', send);
  return () => process.off('SIGWINCH', send);
}

export interface SessionOptions {
  tty: boolean;
  /** Whether our stdin is sent (the daemon was asked to attach it). */
  stdin: boolean;
  detachKeys: Buffer;
  /** Resizes the session's terminal (a container's or an exec's). */
  resize(size: { h: number; w: number }): Promise<void>;
  /** Forward our signals to this container while the session lasts (non-tty sessions). */
  proxyTo?: string;
  /**
   * Called once our terminal is raw and the output is being read, before the size is sent and
   * signals are proxied: `run` and `start -a` start the container here. If it fails, the
   * session is torn down and its error rethrown.
   */
  begin?(): Promise<void>;
}

/**
 * An attached session from start to end: the terminal in raw mode when we type into a tty, the
 * output copied to ours, its size kept in step, signals proxied to the container (non-tty), and
 * everything restored however it ends. Shared by attach, exec, run and start -a.
 */
export async function attachedSession(ctx: CliContext, client: Client, stream: Duplex, options: SessionOptions): Promise<'ended' | 'detached'> {
  const { tty, stdin } = options;
  const restoreTty = tty && stdin ? enterRawMode(ctx) : () => {};
  const attached = pumpAttach(ctx, stream, { tty, stdin, detachKeys: options.detachKeys });
  let stopResize = () => {};
  let stopProxy = () => {};
  try {
    if (options.begin) {
      try {
        await options.begin();
      } catch (err) {
        stream.destroy();
        throw err;
      }
    }
    if (tty) stopResize = monitorTtySize(ctx, options.resize);
    if (!tty && options.proxyTo) stopProxy = proxySignals(client, options.proxyTo);
    return await attached.done;
  } finally {
    stopProxy();
    stopResize();
    restoreTty();
    if (stdin) ctx.stdin.pause();
  }
}

/** Forwards SIGINT/SIGTERM/… to the container while it runs (docker's --sig-proxy). */
function proxySignals(client: Client, id: string): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const handlers = signals.map((sig) => {
    const h = () => {
      void client.containers.kill(id, { signal: sig }).catch(() => {});
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
