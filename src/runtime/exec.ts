// An exec session: one more process in a running container, started by its own conmon with
// `runc exec`. The session's directory <bundle>/exec/<execId>/ holds the process spec, conmon's
// pid files, its attach socket and ctl fifo, and the exit file.
//
// conmon's exec-attach handshake keeps the first byte of output from being lost: conmon waits on
// the start pipe before forking, tells us on the attach pipe once its attach socket exists, and
// runs `runc exec` only after our second write on the start pipe — by then we are connected.
// The sync pipe then carries the process's pid, and later its exit status.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { AttachConnection } from './attach.ts';
import { RuntimeError, runcMessage } from './errors.ts';
import { serializeSpec, type OciSpec } from './spec.ts';

export type OciProcess = OciSpec['process'];

export interface ExecOptions {
  containerId: string;
  execId: string;
  process: OciProcess;
  /** Give the process a stdin pipe. */
  stdin: boolean;
  /** Connect to the session's output before the process starts (not for detached execs). */
  attach: boolean;
}

export interface ExecHandle {
  pid: number;
  /** The connection to the process's stdio, when `attach` was asked for. */
  connection?: AttachConnection;
  /** Settles with the process's exit code. */
  exited: Promise<number>;
}

export interface ExecPaths {
  dir: string;
  conmonPath: string;
  runtimePath: string;
  runcRoot: string;
  connect(dir: string): AttachConnection;
}

/** Reads conmon's sync-pipe messages ({"data": n, "message": "…"}), one per line. */
function messages(pipe: Readable): () => Promise<{ data?: number; message?: string } | undefined> {
  let buf = '';
  let ended = false;
  const queue: Array<{ data?: number; message?: string }> = [];
  let wake: (() => void) | undefined;
  pipe.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        queue.push(JSON.parse(line) as { data?: number; message?: string });
      } catch {
        queue.push({ message: line });
      }
    }
    wake?.();
  });
  const end = () => {
    ended = true;
    wake?.();
  };
  pipe.on('end', end);
  pipe.on('close', end);
  pipe.on('error', end);
  return async () => {
    for (;;) {
      if (queue.length) return queue.shift();
      if (ended) return undefined;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  };
}

export async function runExec(paths: ExecPaths, options: ExecOptions): Promise<ExecHandle> {
  const { dir } = paths;
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.mkdir(join(dir, 'exit'), { recursive: true, mode: 0o700 });
  const specPath = join(dir, 'process.json');
  await fsp.writeFile(specPath, serializeSpec(options.process));
  const runcLog = join(dir, 'runc.log');
  const args = [
    '--api-version', '1',
    '-c', options.containerId,
    '-u', options.execId,
    '-r', paths.runtimePath,
    '-b', dir,
    '-p', join(dir, 'pidfile'),
    '-P', join(dir, 'conmon.pid'),
    '--exit-dir', join(dir, 'exit'),
    '-l', 'none',
    '--log-level', 'error',
    '--full-attach',
    '--exec',
    '--exec-process-spec', specPath,
    '--runtime-arg', '--root', '--runtime-arg', paths.runcRoot,
    '--runtime-arg', '--log-format=json',
    '--runtime-arg', `--log=${runcLog}`,
  ];
  if (options.process.terminal) args.push('-t');
  if (options.stdin) args.push('-i');
  if (options.attach) args.push('--exec-attach');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    _OCI_SYNCPIPE: '3',
    _OCI_STARTPIPE: '4',
  };
  if (options.attach) env._OCI_ATTACHPIPE = '5';
  const child = spawn(paths.conmonPath, args, {
    cwd: dir, // conmon writes an "oom" marker in its working directory
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', options.attach ? 'pipe' : 'ignore'],
    env,
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', () => {});
  const stdio = child.stdio as unknown as Array<Readable | Writable | null>;
  const sync = stdio[3] as Readable;
  const start = stdio[4] as Writable;
  const attachPipe = stdio[5] as Readable | null;
  const nextSync = messages(sync);
  const closeAll = () => {
    for (const s of [sync, start, attachPipe]) s?.destroy();
  };
  const failure = async (fallback: string): Promise<RuntimeError> => {
    const log = await fsp.readFile(runcLog, 'utf8').catch(() => '');
    return new RuntimeError(runcMessage(log) || fallback || stderr.trim() || 'exec failed');
  };
  child.unref();

  let connection: AttachConnection | undefined;
  try {
    start.write('0');
    if (options.attach) {
      const ready = await messages(attachPipe!)();
      if (!ready || ready.data !== 0) throw await failure(`conmon did not open the attach socket: ${stderr.trim()}`);
      connection = paths.connect(dir);
      start.write('1');
    }
    const started = await nextSync();
    if (!started || typeof started.data !== 'number' || started.data <= 0) {
      throw await failure(started?.message ? runcMessage(started.message) : '');
    }
    const exited = (async () => {
      const msg = await nextSync();
      closeAll();
      if (msg && typeof msg.data === 'number') return msg.data;
      // berthd lost the pipe: conmon also wrote the exit file.
      const text = await fsp.readFile(join(dir, 'exit', options.execId), 'utf8').catch(() => '');
      const code = Number.parseInt(text.trim(), 10);
      return Number.isNaN(code) ? 255 : code;
    })();
    return { pid: started.data, ...(connection ? { connection } : {}), exited };
  } catch (err) {
    connection?.close();
    closeAll();
    throw err;
  }
}
