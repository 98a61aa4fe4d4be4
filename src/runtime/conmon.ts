// The container runtime: runc under one conmon per container. conmon holds the container's stdio,
// writes its output where it is told (usually the output pipe berthd reads the log from), records
// its exit code in <exec-root>/exits/<id> and keeps running while berthd restarts; berthd is never
// the container's parent. Per container, the bundle directory <exec-root>/containers/<id>/ holds
// config.json, conmon's pid files, its attach socket, ctl fifo and output pipe.
import { spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync, promises as fsp, watch, readFileSync, type FSWatcher } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { NotFound, isErrno } from '../errors/index.ts';
import { ProgramError, execProgram, silentLogger, writeFileAtomic, type Logger } from '../lib/index.ts';
import { S_IFIFO, socketFromFd, type Syscalls } from '../sys/index.ts';
import { AttachConnection } from './attach.ts';
import { RuntimeError, runcMessage } from './errors.ts';
import { runExec, type ExecHandle, type ExecOptions } from './exec.ts';
import { runProbe, type ProbeOptions, type ProbeResult } from './probe.ts';
import { parseSpec, serializeSpec, type OciSpec } from './spec.ts';

/**
 * Where conmon writes the container's output, in its k8s-file format: to berthd through a pipe
 * (create() returns its read end), to a file (capped by --log-size-max), or nowhere.
 */
export type ConmonLogTarget = { driver: 'pipe' } | { driver: 'k8s-file'; path: string; sizeMax?: number } | { driver: 'none' };

/** The pipe's buffer: what a container can write while berthd does not read before it blocks. */
const outputPipeBytes = 1 << 20;

export interface CreateOptions {
  id: string;
  name: string;
  spec: OciSpec;
  log: ConmonLogTarget;
  /** Give the container a stdin pipe (docker's OpenStdin). */
  stdin: boolean;
  /** Keep stdin open after an attached client disconnects (docker's !StdinOnce). */
  leaveStdinOpen: boolean;
}

export interface ExitStatus {
  exitCode: number;
  finishedAt: Date;
  oomKilled: boolean;
}


export interface RuntimeOptions {
  execRoot: string;
  runtimePath: string;
  conmonPath: string;
  sys: Syscalls;
  log?: Logger;
}

export class ConmonRuntime {
  #execRoot: string;
  #runtimePath: string;
  #conmonPath: string;
  #sys: Syscalls;
  #log: Logger;
  #watcher?: FSWatcher;

  constructor(options: RuntimeOptions) {
    this.#execRoot = options.execRoot;
    this.#runtimePath = options.runtimePath;
    this.#conmonPath = options.conmonPath;
    this.#sys = options.sys;
    this.#log = options.log ?? silentLogger;
  }

  get #runcRoot(): string {
    return join(this.#execRoot, 'runc');
  }

  get #exitDir(): string {
    return join(this.#execRoot, 'exits');
  }

  bundle(id: string): string {
    return join(this.#execRoot, 'containers', id);
  }

  async init(): Promise<void> {
    for (const d of [this.#runcRoot, this.#exitDir, join(this.#execRoot, 'containers')]) {
      await fsp.mkdir(d, { recursive: true, mode: 0o700 });
    }
  }

  /**
   * Calls `onExit(id)` whenever conmon records a container's exit. Exits recorded while nobody
   * watched are found by `exitStatus`.
   */
  watchExits(onExit: (id: string) => void): void {
    this.#watcher = watch(this.#exitDir, (_event, filename) => {
      if (filename && !filename.startsWith('.')) onExit(filename.toString());
    });
  }

  close(): void {
    this.#watcher?.close();
  }

  #runc(args: string[]): Promise<{ stdout: string; stderr: string }> {
    return execProgram(this.#runtimePath, ['--root', this.#runcRoot, '--log-format', 'json', ...args]).catch((err: unknown) => {
      const stderr = err instanceof ProgramError ? err.stderr : '';
      throw new RuntimeError(runcMessage(stderr) || (err as Error).message, { cause: err });
    });
  }

  /**
   * Writes the bundle, starts conmon and lets it run `runc create`. Resolves with the container's
   * pid once the process exists (stopped before exec until `start`).
   */
  async create(options: CreateOptions): Promise<{ pid: number; output?: Readable }> {
    const { id } = options;
    const bundle = this.bundle(id);
    await fsp.rm(join(this.#exitDir, id), { force: true });
    await fsp.rm(bundle, { recursive: true, force: true });
    await fsp.mkdir(join(bundle, 'persist'), { recursive: true, mode: 0o700 });
    await fsp.writeFile(join(bundle, 'config.json'), serializeSpec(options.spec));
    // The output pipe: conmon inherits a read end and keeps it for its whole life, so that its
    // writes never fail (EPIPE) while berthd is not reading, during a restart; they block once
    // the buffer is full, as dockerd's FIFOs do under live-restore.
    let outputFd: number | undefined;
    if (options.log.driver === 'pipe') {
      this.#sys.mknod(this.#outputPath(id), S_IFIFO | 0o600, 0, 0);
      outputFd = openSync(this.#outputPath(id), fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
      try {
        this.#sys.setPipeSize(outputFd, outputPipeBytes);
      } catch (err) {
        this.#log.debug('cannot enlarge the output pipe', { id, error: err });
      }
    }

    try {
      const pid = await this.#startConmon(options, outputFd);
      return { pid, ...(outputFd !== undefined ? { output: pipeReader(outputFd) } : {}) };
    } catch (err) {
      if (outputFd !== undefined) closeSync(outputFd);
      throw err;
    }
  }

  /** Runs conmon, which runs `runc create`; the container's pid once it exists. */
  async #startConmon(options: CreateOptions, outputFd: number | undefined): Promise<number> {
    const { id } = options;
    const bundle = this.bundle(id);
    const args = [
      '--api-version', '1',
      '-c', id,
      '-u', id,
      '-n', options.name,
      '-r', this.#runtimePath,
      '-b', bundle,
      '-p', join(bundle, 'pidfile'),
      '-P', join(bundle, 'conmon.pid'),
      '--persist-dir', join(bundle, 'persist'),
      '--exit-dir', this.#exitDir,
      '-l', options.log.driver === 'none' ? 'none' : `k8s-file:${options.log.driver === 'pipe' ? this.#outputPath(id) : options.log.path}`,
      '--log-level', 'error',
      '--full-attach',
      '--no-sync-log',
      '--runtime-arg', '--root', '--runtime-arg', this.#runcRoot,
      '--runtime-arg', '--log-format=json',
    ];
    // never for the pipe: conmon's rotation would rename a new file over it
    if (options.log.driver === 'k8s-file' && options.log.sizeMax && options.log.sizeMax > 0) args.push('--log-size-max', String(options.log.sizeMax));
    if (options.spec.process.terminal) args.push('-t');
    if (options.stdin) args.push('-i');
    if (options.stdin && options.leaveStdinOpen) args.push('--leave-stdin-open');

    const child = spawn(this.#conmonPath, args, {
      // conmon drops an "oom" marker in its working directory (besides --persist-dir) when the
      // container is OOM-killed: keep it in the bundle, not wherever berthd was started.
      cwd: bundle,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', ...(outputFd !== undefined ? [outputFd] : [])],
      // TZ: conmon stamps each record in local time; in UTC the stamps need no conversion
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', TZ: 'UTC' },
      detached: true,
    });
    const syncPipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const parentExit = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const message = await new Promise<string>((resolve, reject) => {
      let buf = '';
      syncPipe.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      syncPipe.on('end', () => resolve(buf));
      syncPipe.on('error', reject);
      parentExit.then(
        (code) => {
          if (code !== 0) reject(new RuntimeError(`conmon failed (exit status ${code}): ${stderr.trim()}`));
        },
        (err: Error) => reject(new RuntimeError(`cannot run conmon: ${err.message}`, { cause: err })),
      );
    }).finally(() => syncPipe.destroy());
    child.unref();

    let parsed: { data?: number; message?: string };
    try {
      parsed = JSON.parse(message) as { data?: number; message?: string };
    } catch {
      throw new RuntimeError(`conmon sent an unreadable message: ${JSON.stringify(message)} ${stderr.trim()}`);
    }
    if (typeof parsed.data !== 'number' || parsed.data <= 0) {
      await this.delete(id).catch(() => {});
      throw new RuntimeError(runcMessage(parsed.message ?? '') || 'container creation failed');
    }
    return parsed.data;
  }

  #outputPath(id: string): string {
    return join(this.bundle(id), 'output');
  }

  /**
   * The read end of a running (or just exited) container's output pipe, for a berthd that
   * restarted; undefined when the container has none. What conmon wrote meanwhile is waiting in it.
   */
  openOutput(id: string): Readable | undefined {
    try {
      return pipeReader(openSync(this.#outputPath(id), fsConstants.O_RDONLY | fsConstants.O_NONBLOCK));
    } catch {
      return undefined;
    }
  }

  get #holderFile(): string {
    return join(this.#execRoot, 'output-holder.json');
  }

  /**
   * berthd stops: a small process keeps the output pipes open until the next berthd has opened
   * them. conmon holds its pipe while it runs, but closes it when the container exits; without
   * this, what a container wrote just before an exit while berthd was down would be lost.
   */
  async holdOutputs(): Promise<void> {
    const fds: number[] = [];
    const dir = join(this.#execRoot, 'containers');
    for (const id of await fsp.readdir(dir).catch(() => [] as string[])) {
      try {
        fds.push(openSync(this.#outputPath(id), fsConstants.O_RDONLY | fsConstants.O_NONBLOCK));
      } catch {
        // no pipe: another log driver, or gone
      }
    }
    if (!fds.length) return;
    try {
      const holder = spawn('sleep', ['infinity'], { stdio: ['ignore', 'ignore', 'ignore', ...fds], detached: true });
      holder.unref();
      if (holder.pid) await writeFileAtomic(this.#holderFile, JSON.stringify({ pid: holder.pid, start: processStart(holder.pid) }));
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }

  /** The pipes are open again (berthd adopted its containers): the holder can go. */
  async releaseOutputs(): Promise<void> {
    let holder: { pid?: number; start?: string };
    try {
      holder = JSON.parse(await fsp.readFile(this.#holderFile, 'utf8')) as { pid?: number; start?: string };
    } catch {
      return;
    }
    // the pid must still be the holder berthd started (same process start time)
    if (holder.pid && holder.start && processStart(holder.pid) === holder.start) {
      try {
        process.kill(holder.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await fsp.rm(this.#holderFile, { force: true });
  }

  async start(id: string): Promise<void> {
    await this.#runc(['start', id]);
  }

  async kill(id: string, signal: number, options: { all?: boolean } = {}): Promise<void> {
    await this.#runc(['kill', ...(options.all ? ['--all'] : []), id, String(signal)]);
  }

  async pause(id: string): Promise<void> {
    await this.#runc(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.#runc(['resume', id]);
  }

  /** Forgets a stopped container: runc's state, the bundle and the exit file. */
  async delete(id: string): Promise<void> {
    try {
      await this.#runc(['delete', '--force', id]);
    } catch (err) {
      if (!/does not exist|not exist/.test((err as Error).message)) this.#log.warn('runc delete failed', { id, error: err });
    }
    await fsp.rm(this.bundle(id), { recursive: true, force: true });
    await fsp.rm(join(this.#exitDir, id), { force: true });
  }

  /** The exit conmon recorded, or undefined while the container runs (or never ran). */
  async exitStatus(id: string): Promise<ExitStatus | undefined> {
    const file = join(this.#exitDir, id);
    let text: string;
    let finishedAt: Date;
    try {
      const [t, st] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file)]);
      text = t;
      finishedAt = st.mtime;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    const oomKilled = await fsp.access(join(this.bundle(id), 'persist', 'oom')).then(
      () => true,
      () => false,
    );
    const code = Number.parseInt(text.trim(), 10);
    return { exitCode: Number.isNaN(code) || code < 0 ? 255 : code, finishedAt, oomKilled };
  }

  async hasState(id: string): Promise<boolean> {
    try {
      await fsp.access(this.bundle(id));
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the container's conmon is still running (after a berthd restart, for example). */
  async isAlive(id: string): Promise<boolean> {
    const pid = await readPid(join(this.bundle(id), 'conmon.pid'));
    if (pid === undefined) return false;
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    // Guard against a recycled pid: it must still be conmon, for this container.
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(id);
    } catch {
      return false;
    }
  }

  /** The container's init pid as runc recorded it. */
  async pid(id: string): Promise<number | undefined> {
    return readPid(join(this.bundle(id), 'pidfile'));
  }

  /** Connects to conmon's attach socket: output frames in, stdin out. */
  attach(id: string): AttachConnection {
    return this.#connect(this.bundle(id));
  }

  #connect(dir: string): AttachConnection {
    // A socket path is limited to 107 bytes, which a long exec root plus a 64-character id can
    // exceed; reaching the socket through an open directory fd keeps the path short whatever the
    // bundle's (conmon binds it the same way).
    let fd: number;
    let dirFd: number | undefined;
    try {
      dirFd = openSync(dir, 'r');
      fd = this.#sys.connectSeqpacket(`/proc/self/fd/${dirFd}/attach`);
    } catch (err) {
      throw new NotFound(`no attach socket in ${dir}: ${(err as Error).message}`, { cause: err });
    } finally {
      if (dirFd !== undefined) closeSync(dirFd);
    }
    let queueFd: number;
    try {
      queueFd = this.#sys.dup(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    const socket = socketFromFd(fd, { allowHalfOpen: true });
    let released = false;
    return new AttachConnection(socket, {
      drain: () => (released ? [] : this.#sys.recvQueued(queueFd, 65536)),
      release: () => {
        if (released) return;
        released = true;
        closeSync(queueFd);
      },
    });
  }

  async baseProcess(id: string): Promise<OciSpec['process']> {
    const spec = parseSpec(await fsp.readFile(join(this.bundle(id), 'config.json'), 'utf8'));
    return spec.process;
  }

  /** Starts a process in a running container (an exec session) under its own conmon. */
  exec(options: ExecOptions): Promise<ExecHandle> {
    return runExec(
      {
        dir: this.#execDir(options.containerId, options.execId),
        conmonPath: this.#conmonPath,
        runtimePath: this.#runtimePath,
        runcRoot: this.#runcRoot,
        connect: (dir) => this.#connect(dir),
      },
      options,
    );
  }

  /** Runs a healthcheck probe in a running container (see probe.ts). */
  probe(options: ProbeOptions): Promise<ProbeResult> {
    return runProbe({ runtimePath: this.#runtimePath, runcRoot: this.#runcRoot, bundle: this.bundle(options.containerId) }, options);
  }

  #execDir(containerId: string, execId: string): string {
    return join(this.bundle(containerId), 'exec', execId);
  }

  /** Forgets a finished exec session's files. */
  async removeExec(containerId: string, execId: string): Promise<void> {
    await fsp.rm(this.#execDir(containerId, execId), { recursive: true, force: true });
  }

  /** Resizes an exec session's pty. */
  resizeExec(containerId: string, execId: string, size: { height: number; width: number }): Promise<void> {
    return this.#resizeIn(this.#execDir(containerId, execId), size);
  }

  /** The container's process table as runc sees it (pids in its cgroup). */
  async pids(id: string): Promise<number[]> {
    const { stdout } = await this.#runc(['ps', '--format', 'json', id]);
    return (JSON.parse(stdout || '[]') as number[] | null) ?? [];
  }

  /** Resizes the container's pty through conmon's control fifo. */
  resize(id: string, size: { height: number; width: number }): Promise<void> {
    return this.#resizeIn(this.bundle(id), size);
  }

  #resizeIn(dir: string, size: { height: number; width: number }): Promise<void> {
    return this.#control(dir, `1 ${size.height} ${size.width}`);
  }

  /** A message on conmon's control fifo: "<type> <height> <width>". */
  async #control(dir: string, message: string): Promise<void> {
    const fh = await fsp.open(join(dir, 'ctl'), fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    try {
      await fh.write(`${message}\n`);
    } finally {
      await fh.close();
    }
  }

  /** `runc state` for one container, or undefined when runc does not know it. */
  async state(id: string): Promise<{ status: string; pid: number } | undefined> {
    try {
      const { stdout } = await this.#runc(['state', id]);
      return JSON.parse(stdout) as { status: string; pid: number };
    } catch {
      return undefined;
    }
  }

  /** Writes a file into the bundle atomically (used for exec process specs). */
  async writeBundleFile(id: string, name: string, content: string): Promise<string> {
    const path = join(this.bundle(id), name);
    await writeFileAtomic(path, content, { mode: 0o600 });
    return path;
  }
}

/** A pipe's read end as a stream read by libuv, without a thread of its pool. */
function pipeReader(fd: number): Readable {
  return new net.Socket({ fd, readable: true, writable: false });
}

/** /proc/<pid>/stat's start time: with the pid, it names one process. */
function processStart(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
  } catch {
    return undefined;
  }
}

async function readPid(path: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await fsp.readFile(path, 'utf8')).trim(), 10);
    return Number.isNaN(n) || n <= 0 ? undefined : n;
  } catch {
    return undefined;
  }
}

