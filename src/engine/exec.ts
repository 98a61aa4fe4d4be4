// Exec sessions: POST /containers/{id}/exec creates one, /exec/{id}/start runs it (attached or
// detached), /exec/{id}/json reports it. As in dockerd, sessions live in memory only; a process
// started by exec dies with its container's pid namespace.
import { Conflict, InvalidArgument, NotFound, SystemError } from '../errors/index.ts';
import { newId } from '../lib/index.ts';
import { RuntimeError, availableCapabilities, type OciProcess } from '../runtime/index.ts';
import type { ExecConfig } from '../types/index.ts';
import { AttachSession, type AttachOptions, type OutputWriter } from './attach.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { startFailureExitCode } from './start.ts';
import { resolveUser } from './user.ts';
import { announce } from './announce.ts';

export class ExecSession {
  readonly id = newId();
  readonly container: Container;
  readonly config: ExecConfig & { Cmd: string[] };
  running = false;
  started = false;
  exitCode: number | null = null;
  pid = 0;
  consoleSize?: { height: number; width: number };

  constructor(container: Container, config: ExecConfig & { Cmd: string[] }) {
    this.container = container;
    this.config = config;
  }

  inspect(): Record<string, unknown> {
    const [entrypoint, ...args] = this.config.Cmd;
    return {
      ID: this.id,
      Running: this.running,
      ExitCode: this.exitCode,
      ProcessConfig: {
        tty: !!this.config.Tty,
        entrypoint,
        arguments: args,
        privileged: !!this.config.Privileged,
        ...(this.config.User ? { user: this.config.User } : {}),
      },
      OpenStdin: !!this.config.AttachStdin,
      OpenStderr: !!this.config.AttachStderr,
      OpenStdout: !!this.config.AttachStdout,
      CanRemove: false,
      ContainerID: this.container.id,
      DetachKeys: this.config.DetachKeys ?? '',
      Pid: this.pid,
    };
  }
}

function checkRunning(c: Container): void {
  if (!c.state.Running) throw new Conflict(`Container ${c.id} is not running`);
  if (c.state.Paused) throw new Conflict(`Container ${c.id} is paused, unpause the container before exec`);
  if (c.state.Restarting) throw new Conflict(`Container ${c.id} is restarting, wait until the container is running`);
}

/** How dockerd names an exec in its events: the entrypoint, a space, the arguments ("true " alone). */
export function execCommandText(cmd: readonly string[]): string {
  return `${cmd[0]} ${cmd.slice(1).join(' ')}`;
}

export function createExec(c: Container, req: ExecConfig): ExecSession {
  if (!req.Cmd || req.Cmd.length === 0) throw new InvalidArgument('No exec command specified');
  checkRunning(c);
  return new ExecSession(c, { ...req, Cmd: [...req.Cmd] });
}

/** The exec's process: the container's, with the session's command, user, env and tty. */
async function execProcess(ctx: Pick<EngineContext, 'layers'>, s: ExecSession, base: OciProcess): Promise<OciProcess> {
  const cfg = s.config;
  const c = s.container;
  const env = [...base.env];
  const setEnv = (e: string) => {
    const key = e.split('=')[0];
    const i = env.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) env[i] = e;
    else env.push(e);
  };
  for (const e of cfg.Env ?? []) setEnv(e);
  if (cfg.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  let user = base.user;
  const userSpec = cfg.User || c.record.Config.User;
  if (cfg.User) {
    const { MergedDir } = await ctx.layers.describeRw(c.id);
    const u = await resolveUser(MergedDir!, userSpec, c.hostConfig.GroupAdd ?? []);
    user = { uid: u.uid, gid: u.gid, ...(u.additionalGids.length ? { additionalGids: u.additionalGids } : {}) };
  }
  const caps = cfg.Privileged ? [...availableCapabilities()] : base.capabilities.bounding;
  const size = s.consoleSize ?? (cfg.ConsoleSize && cfg.ConsoleSize[0] > 0 ? { height: cfg.ConsoleSize[0], width: cfg.ConsoleSize[1] } : undefined);
  const { consoleSize: _unused, ...rest } = base;
  return {
    ...rest,
    terminal: !!cfg.Tty,
    ...(cfg.Tty && size ? { consoleSize: size } : {}),
    args: cfg.Cmd,
    env,
    cwd: cfg.WorkingDir || base.cwd,
    user,
    capabilities: { bounding: caps, effective: caps, permitted: caps },
  };
}

export interface ExecStartOptions {
  detach: boolean;
  tty?: boolean;
  consoleSize?: { height: number; width: number };
  detachKeys?: Buffer;
}

/**
 * Starts the session. Attached, resolves with the live session (output flows to `write`);
 * detached, once the process runs. A process that cannot be started is reported with docker's
 * message and exit code 126/127, as dockerd does.
 */
export async function startExec(ctx: Pick<EngineContext, 'layers' | 'runtime' | 'events'>, s: ExecSession, options: ExecStartOptions, write: OutputWriter): Promise<AttachSession | undefined> {
  if (s.started) throw new Conflict(`Error: Exec command ${s.id} is already running`);
  const c = s.container;
  checkRunning(c);
  s.started = true;
  s.running = true;
  if (options.consoleSize) s.consoleSize = options.consoleSize;
  const attach = !options.detach;
  const stdin = !!s.config.AttachStdin && attach;
  // detach keys only in a tty's input, as for attach (attach.ts)
  const session = attach ? new AttachSession(options.detachKeys && s.config.Tty ? { detachKeys: options.detachKeys } : {}) : undefined;
  c.execs.add(s.id);
  try {
    const base = await ctx.runtime.baseProcess(c.id);
    const handle = await ctx.runtime.exec({ containerId: c.id, execId: s.id, process: await execProcess(ctx, s, base), stdin, attach });
    s.pid = handle.pid;
    announce(ctx, c, `exec_start: ${execCommandText(s.config.Cmd)}`, { execID: s.id });
    const recorded = handle.exited.then((code) => {
      s.exitCode = code;
      s.running = false;
      s.pid = 0;
      c.execs.delete(s.id);
      announce(ctx, c, 'exec_die', { execID: s.id, exitCode: String(code) });
    });
    void recorded.then(() => ctx.runtime.removeExec(c.id, s.id)).catch(() => {});
    if (session && handle.connection) {
      const opts: AttachOptions = { stdin, stdout: !!s.config.AttachStdout, stderr: !!s.config.AttachStderr, logs: false, stream: true };
      session.endAfter(recorded);
      session.connect(handle.connection, opts, write);
    }
    return session;
  } catch (err) {
    s.running = false;
    c.execs.delete(s.id);
    await ctx.runtime.removeExec(c.id, s.id).catch(() => {});
    session?.finish();
    if (err instanceof RuntimeError) {
      s.exitCode = startFailureExitCode(err.message).code;
      throw new SystemError(`OCI runtime exec failed: ${err.message}: unknown`, { cause: err });
    }
    s.exitCode = 126;
    throw err;
  }
}

export class ExecStore {
  #sessions = new Map<string, ExecSession>();

  add(s: ExecSession): void {
    this.#sessions.set(s.id, s);
  }

  /** Throws docker's 404 for unknown ids and for sessions of removed containers. */
  get(id: string, live: (c: Container) => boolean): ExecSession {
    const s = this.#sessions.get(id);
    if (!s || !live(s.container)) {
      if (s) this.#sessions.delete(id);
      throw new NotFound(`No such exec instance: ${id}`);
    }
    return s;
  }

  /** Drops the sessions of a removed container. */
  forget(containerId: string): void {
    for (const [id, s] of this.#sessions) if (s.container.id === containerId) this.#sessions.delete(id);
  }
}
