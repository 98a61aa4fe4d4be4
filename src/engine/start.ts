// POST /containers/{id}/start: mount the container's layers, write its files, resolve its user,
// build the OCI spec and hand it to the runtime. Attach clients already waiting are connected
// between `runc create` and `runc start`, so they see the first byte of output.
import { promises as fsp, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Conflict, InvalidArgument, NotModified, SystemError } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';
import type { PreparedLog } from '../logging/index.ts';
import { RuntimeError, buildSpec, networkSysctls, writeNetnsSysctls, type OciMount } from '../runtime/index.ts';
import { announce } from './announce.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { embeddedResolvConf, renderHosts, renderResolvConf, writeContainerFiles } from './files.ts';
import { cgroupsPathOf, governedSpec, mountSharedShm, unmountSharedShm } from './governance.ts';
import { logInfo } from './logs.ts';
import { releaseMounts, setupMounts } from './mounts.ts';
import { setUpNetworking, tearDownNetworking, type NetworkFiles } from './network.ts';
import { resolveUser } from './user.ts';

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const initPathInContainer = '/sbin/docker-init';

/** dockerd's exit codes for a process that could not be started, from the runtime's message. */
export function startFailureExitCode(message: string): { code: number; invalidConfig: boolean } {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return { code: 127, invalidConfig: true };
  if (/permission denied|is a directory/.test(message)) return { code: 126, invalidConfig: true };
  return { code: 128, invalidConfig: false };
}

function checkStartable(c: Container, byPolicy: boolean): void {
  if (c.state.Paused) throw new Conflict('cannot start a paused container, try unpause instead');
  // a restarting container counts as running, except for the restart its policy started
  if (c.state.Running && !(byPolicy && c.state.Restarting)) throw new NotModified();
  if (c.state.RemovalInProgress || c.state.Dead) throw new Conflict('container is marked for removal and cannot be started');
}

export interface StartOptions {
  /** The start is the restart policy's: RestartCount and the backoff go on. */
  byPolicy?: boolean;
  /** Awaited between `runc create` and `runc start` (a restart prepared during its backoff). */
  beforeStart?: () => Promise<void>;
}

export async function startContainer(ctx: EngineContext, c: Container, options: StartOptions = {}): Promise<void> {
  checkStartable(c, !!options.byPolicy);
  const rec = c.record;
  const host = c.hostConfig;
  if (!options.byPolicy) {
    // dockerd's ResetRestartManager: a start the user asks for begins the count again
    ctx.restarts.reset(c);
    rec.RestartCount = 0;
  }
  let rootfs: string | undefined;
  let logs: PreparedLog | undefined;
  let started = false;
  try {
    // resources, security, namespaces, devices and the user namespace: refused before anything is set up
    const governed = await governedSpec(ctx, c);
    // A restart by policy finds the sandbox its last run kept (see exit.ts), with its files
    // written (and, under userns-remap, the user namespace that owns it); otherwise the network
    // sandbox is built while the layers mount.
    const kept = options.byPolicy ? ctx.network.sandboxPath(c.id) : undefined;
    const keptUserns = kept && governed.userNamespace ? ctx.network.sandboxUserns(c.id) : undefined;
    const networking = kept
      ? Promise.resolve<NetworkFiles>({ namespace: { mode: 'path', path: kept }, hostname: rec.Config.Hostname, hosts: [], ...(keptUserns ? { userns: keptUserns } : {}) })
      : setUpNetworking(ctx, c, governed.userNamespace ? { userNamespace: governed.userNamespace } : {});
    networking.catch(() => {});
    rootfs = await ctx.layers.mountRw(c.id);
    const net = await networking;
    if (!kept) {
      const resolvConf = renderResolvConf(readHostResolvConf(ctx.config.hostResolvConf), {
        dns: host.Dns?.length ? host.Dns : ctx.config.dns,
        search: host.DnsSearch?.length ? host.DnsSearch : ctx.config.dnsSearch,
        options: host.DnsOptions?.length ? host.DnsOptions : ctx.config.dnsOptions,
      });
      await writeContainerFiles(c.dir, {
        hostname: net.hostname,
        hosts: net.hostsText ?? renderHosts(net.hosts),
        resolvConf: net.resolvText ?? (net.nameserver ? embeddedResolvConf(resolvConf, net.nameserver) : resolvConf),
      });
    }
    const user = await resolveUser(rootfs, rec.Config.User, host.GroupAdd ?? []);
    const env = buildEnv(rec.Config.Env ?? [], { hostname: net.hostname, home: user.home, tty: rec.Config.Tty });
    const cwd = rec.Config.WorkingDir || '/';
    if (cwd !== '/') await ensureWorkingDir(rootfs, cwd, user);

    const mounts: OciMount[] = [
      { destination: '/etc/resolv.conf', type: 'bind', source: rec.ResolvConfPath, options: ['rbind', 'rprivate'] },
      { destination: '/etc/hostname', type: 'bind', source: rec.HostnamePath, options: ['rbind', 'rprivate'] },
      { destination: '/etc/hosts', type: 'bind', source: rec.HostsPath, options: ['rbind', 'rprivate'] },
    ];
    if (rec.MountPoints || host.Tmpfs) {
      // volumes, binds and tmpfs; a user mount on /etc/hosts (…) replaces berthd's file
      const user = await setupMounts(ctx, c);
      const taken = new Set(user.map((m) => m.destination));
      mounts.splice(0, mounts.length, ...mounts.filter((m) => !taken.has(m.destination)), ...user);
    }
    let args = [rec.Path, ...rec.Args];
    if (host.Init) {
      mounts.push({ destination: initPathInContainer, type: 'bind', source: ctx.config.initPath, options: ['bind', 'ro'] });
      args = [initPathInContainer, '--', ...args];
    }
    if (governed.userNamespace && net.userns) governed.userNamespace = { ...governed.userNamespace, path: net.userns };
    else if (governed.userNamespace && net.namespace.mode === 'path') {
      // It joins the network namespace of a container without user namespace: its root may not
      // write that namespace's sysctls, so berthd does.
      const { net: netSysctls, rest } = networkSysctls(governed.sysctls);
      await writeNetnsSysctls(net.namespace.path, netSysctls);
      governed.sysctls = rest;
    }
    await mountSharedShm(ctx, c);
    const spec = buildSpec({
      id: c.id,
      rootfs,
      hostname: net.hostname,
      args,
      env,
      cwd,
      user,
      terminal: rec.Config.Tty,
      ...(host.ConsoleSize && host.ConsoleSize[0] > 0 ? { consoleSize: { height: host.ConsoleSize[0], width: host.ConsoleSize[1] } } : {}),
      mounts,
      network: net.namespace,
      cgroupsPath: cgroupsPathOf(ctx, c),
      ...governed,
    });
    logs = await openLog(ctx, c);
    let pid: number;
    let output: Readable | undefined;
    try {
      ({ pid, output } = await ctx.runtime.create({
        id: c.id,
        name: c.name,
        spec,
        log: logs.conmon,
        stdin: rec.Config.OpenStdin,
        // A tty keeps its input for the next `attach` after a detach (docker only closes stdin of non-tty containers).
        leaveStdinOpen: rec.Config.Tty || !rec.Config.StdinOnce,
      }));
    } catch (err) {
      await logs.cancel();
      logs = undefined;
      throw err;
    }
    await logs.start(output);
    c.processExists = true;
    for (const waiter of c.pendingAttach) waiter.ready();
    c.pendingAttach.clear();
    try {
      await net.ready;
      await options.beforeStart?.();
      await ctx.runtime.start(c.id);
    } catch (err) {
      await ctx.runtime.delete(c.id).catch(() => {});
      throw err;
    }
    Object.assign(rec.State, {
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: pid,
      ExitCode: 0,
      Error: '',
      StartedAt: ctx.clock.now().toISOString(),
    });
    started = true;
    rec.HasBeenStartedBefore = true;
    rec.HasBeenManuallyStopped = false;
    ctx.health.start(c);
    await ctx.store.saveState(c);
    announce(ctx, c, 'start');
  } catch (err) {
    c.processExists = false;
    // what conmon wrote before the failure stays in the log
    if (logs) await ctx.logs.finish(logInfo(c)).catch(() => {});
    for (const waiter of c.pendingAttach) waiter.failed(err);
    c.pendingAttach.clear();
    if (rootfs !== undefined && !started) await ctx.layers.unmountRw(c.id).catch(() => {});
    if (!started) await tearDownNetworking(ctx, c).catch(() => {});
    if (!started) await releaseMounts(ctx, c);
    if (!started) unmountSharedShm(ctx, c);
    throw await recordStartFailure(ctx, c, err);
  }
}

async function recordStartFailure(ctx: EngineContext, c: Container, err: unknown): Promise<unknown> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof InvalidArgument) {
    c.record.State.Error = message;
    await ctx.store.saveState(c).catch(() => {});
    return err;
  }
  if (err instanceof RuntimeError) {
    const { code, invalidConfig } = startFailureExitCode(message);
    c.record.State.ExitCode = code;
    c.record.State.Error = `OCI runtime create failed: ${message}: unknown`;
    await ctx.store.saveState(c).catch(() => {});
    return invalidConfig ? new InvalidArgument(c.record.State.Error, { cause: err }) : new SystemError(c.record.State.Error, { cause: err });
  }
  return err;
}

function readHostResolvConf(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** dockerd's order: PATH, HOSTNAME, TERM, then the container's own values replace or append. */
export function buildEnv(env: readonly string[], info: { hostname: string; home: string; tty: boolean }): string[] {
  const out = [defaultPath, `HOSTNAME=${info.hostname}`, ...(info.tty ? ['TERM=xterm'] : [])];
  for (const e of env) {
    const key = e.split('=')[0];
    const i = out.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  if (!out.some((e) => e.startsWith('HOME='))) out.push(`HOME=${info.home}`);
  return out;
}

async function ensureWorkingDir(rootfs: string, cwd: string, user: { uid: number; gid: number }): Promise<void> {
  const path = await secureJoin(rootfs, cwd);
  try {
    const st = await fsp.stat(path);
    if (!st.isDirectory()) throw new InvalidArgument(`Cannot mkdir: ${cwd} is not a directory`);
    return;
  } catch (err) {
    if (err instanceof InvalidArgument) throw err;
  }
  await fsp.mkdir(path, { recursive: true, mode: 0o755 });
  await fsp.chown(path, user.uid, user.gid);
}

/**
 * Opens the container's log driver before conmon starts (dockerd's StartLogger). A container whose
 * log is still in the format of containers made before the drivers has it converted first.
 */
async function openLog(ctx: EngineContext, c: Container): Promise<PreparedLog> {
  const logPath = await ctx.logs.migrate(logInfo(c));
  if (logPath !== undefined) {
    c.record.LogPath = logPath;
    await ctx.store.saveState(c);
  }
  try {
    return await ctx.logs.prepare(logInfo(c));
  } catch (err) {
    // dockerd records a start that failed this way too: its error, and exit code 128
    Object.assign(c.record.State, { Error: (err as Error).message, ExitCode: 128 });
    await ctx.store.saveState(c).catch(() => {});
    throw err;
  }
}
