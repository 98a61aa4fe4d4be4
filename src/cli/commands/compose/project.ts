// From `berth compose`'s flags to what src/compose works with: the project (loaded from the
// files, or known by name only), and the session (engine over the CLI's client, output streams,
// progress mode, colours, the build port, ctrl-c). Errors end the command with compose's exit
// statuses: 14 when no file is found, 15 for a file that does not load, 1 otherwise.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgument, NotFound } from '../../../errors/index.ts';
import {
  clientEngine,
  EngineError,
  loadProject,
  projectFromContainers,
  selectServices,
  type ComposeProject,
  type LoadedProject,
  type LoadOptions,
  type ProgressMode,
  type Session,
} from '../../../compose/index.ts';
import type { CliContext } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import type { FlagValues } from '../../flags.ts';
import { readConfig, registryAuthFor, registryOf } from '../registry/credentials.ts';
import { buildService } from './build-port.ts';
import type { ProjectFlagSpecs } from './project-flags.ts';

export type ProjectFlags = FlagValues<ProjectFlagSpecs>;

function envList(name: string): string[] {
  return (process.env[name] ?? '').split(',').filter((s) => s !== '');
}

/** What the loader needs from the flags and the environment. */
export function loadOptions(_ctx: CliContext, flags: ProjectFlags, extra: Partial<LoadOptions> = {}): LoadOptions {
  if (flags.workdir && flags['project-directory']) {
    throw new StatusError(1, 'cannot specify DEPRECATED "--workdir" and "--project-directory". Please use only "--project-directory" instead');
  }
  const envFiles = flags['env-file'] && flags['env-file'].length > 0 ? flags['env-file'] : envList('COMPOSE_ENV_FILES');
  const projectDirectory = flags['project-directory'] || flags.workdir;
  return {
    cwd: process.cwd(),
    environment: process.env,
    ...(flags.file && flags.file.length > 0 ? { files: flags.file } : {}),
    ...(flags['project-name'] ? { projectName: flags['project-name'] } : {}),
    ...(projectDirectory ? { projectDirectory } : {}),
    ...(envFiles.length > 0 ? { envFiles: envFiles.map((f) => resolve(f)) } : {}),
    ...(flags.profile && flags.profile.length > 0 ? { profiles: flags.profile } : {}),
    stdin: () => readFileSync(0, 'utf8'),
    ...extra,
  };
}

/** A loading failure as compose reports it. */
export function loadError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  // compose reports an unknown service name as a plain error, not as a file problem.
  if (err instanceof NotFound && err.message.startsWith('no such service:')) return new StatusError(1, err.message);
  if (err instanceof NotFound) return new StatusError(14, err.message);
  if (err instanceof InvalidArgument) return new StatusError(15, err.message);
  return new StatusError(1, err instanceof Error ? err.message : String(err));
}

function printWarnings(ctx: CliContext, warnings: readonly string[]): void {
  for (const w of warnings) ctx.stderr.write(`WARN[0000] ${w}\n`);
}

/** The project narrowed to the services named on the command line (all when none), or compose's exit 1. */
export function selectedServices(project: ComposeProject, names: readonly string[], options: { dependencies: boolean }): ComposeProject {
  if (names.length === 0) return project;
  try {
    return selectServices(project, [...names], options);
  } catch (err) {
    throw new StatusError(1, (err as Error).message);
  }
}

/** The project from its files (-f, COMPOSE_FILE, compose.yaml upwards), its warnings printed. */
export function loadFromFlags(ctx: CliContext, flags: ProjectFlags, extra: Partial<LoadOptions> = {}): LoadedProject {
  let loaded: LoadedProject;
  try {
    loaded = loadProject(loadOptions(ctx, flags, extra));
  } catch (err) {
    throw loadError(err);
  }
  printWarnings(ctx, loaded.warnings);
  return loaded;
}

/**
 * compose's projectOrName: with -f, or without -p, the files are read; with -p alone (or when
 * the files cannot be read but COMPOSE_PROJECT_NAME names the project), the project is what its
 * containers, networks and volumes say.
 */
export async function projectOrName(ctx: CliContext, flags: ProjectFlags, session: Session, services: readonly string[] = []): Promise<{ project: ComposeProject; fromFiles: boolean }> {
  let name = flags['project-name'];
  if ((flags.file && flags.file.length > 0) || !name) {
    try {
      return { project: loadProject(loadOptions(ctx, flags, { services: [...services] })).project, fromFiles: true };
    } catch (err) {
      if (err instanceof NotFound && /no such service/.test(err.message)) throw new StatusError(1, err.message);
      name = process.env.COMPOSE_PROJECT_NAME;
      if (!name) throw loadError(err);
    }
  }
  const [containers, networks, volumes] = await Promise.all([
    session.engine.listContainers({ all: true, labels: { 'com.docker.compose.project': name } }),
    session.engine.listNetworks({ labels: { 'com.docker.compose.project': name } }),
    session.engine.listVolumes({ labels: { 'com.docker.compose.project': name } }),
  ]);
  return { project: projectFromContainers(name, containers, { networks, volumes }), fromFiles: false };
}

/** The project name only (-p, COMPOSE_PROJECT_NAME, else the files'). */
export function projectName(ctx: CliContext, flags: ProjectFlags): string {
  if (flags['project-name']) return flags['project-name'];
  if (process.env.COMPOSE_PROJECT_NAME) return process.env.COMPOSE_PROJECT_NAME;
  return loadFromFlags(ctx, flags).project.name;
}

function progressMode(ctx: CliContext, flags: ProjectFlags, ansi: string): ProgressMode {
  const p = flags.progress;
  switch (p) {
    case 'auto':
      if (ansi === 'never') return 'plain';
      if (ansi === 'always') return 'tty';
      return (ctx.stderr as { isTTY?: boolean }).isTTY ? 'tty' : 'plain';
    case 'tty':
      if (ansi === 'never') throw new StatusError(1, "can't use --progress tty while ANSI support is disabled");
      return 'tty';
    case 'plain':
      if (ansi === 'always') throw new StatusError(1, "can't use --progress plain while ANSI support is forced");
      return 'plain';
    case 'quiet':
    case 'none':
      return 'quiet';
    case 'json':
      return 'json';
    default:
      throw new StatusError(1, `unsupported --progress value ${JSON.stringify(p)}`);
  }
}

/** Signals counted for the session's interrupt handlers (the last one registered gets them). */
function interrupts(): Session['onInterrupt'] {
  return (handler) => {
    let count = 0;
    const on = () => handler(++count);
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
    return () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
  };
}

export function sessionFor(ctx: CliContext, flags: ProjectFlags): Session {
  let ansi = flags.ansi;
  if (flags['no-ansi']) {
    if (ansi !== 'auto') throw new StatusError(1, 'cannot specify DEPRECATED "--no-ansi" and "--ansi". Please use only "--ansi"');
    ansi = 'never';
    ctx.stderr.write("option '--no-ansi' is DEPRECATED ! Please use '--ansi' instead.\n");
  }
  if (process.env.COMPOSE_ANSI && ansi === 'auto') ansi = process.env.COMPOSE_ANSI;
  if (!['never', 'always', 'auto'].includes(ansi)) throw new StatusError(1, `unsupported --ansi value ${JSON.stringify(ansi)}`);
  const noColor = !!process.env.NO_COLOR;
  const color = !noColor && (ansi === 'always' || (ansi === 'auto' && !!ctx.stdout.isTTY));
  let parallel = flags.parallel;
  if (parallel === -1 && process.env.COMPOSE_PARALLEL_LIMIT !== undefined) {
    const n = process.env.COMPOSE_PARALLEL_LIMIT;
    if (!/^-?\d+$/.test(n)) throw new StatusError(1, `COMPOSE_PARALLEL_LIMIT must be an integer (found: ${JSON.stringify(n)})`);
    parallel = Number(n);
  }
  const client = ctx.client();
  const engine = clientEngine({
    client,
    registryAuth: (ref) => registryAuthFor(ctx, registryOf(ref)),
    registryConfig: () => {
      const out: Record<string, unknown> = {};
      for (const [server, entry] of Object.entries(readConfig(ctx).auths ?? {})) {
        if (!entry.auth) continue;
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        out[server] = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: server };
      }
      return out;
    },
  });
  const stderr = ctx.stderr as CliContext['stderr'] & { columns?: number; rows?: number };
  const session: Session = {
    engine,
    stdout: ctx.stdout,
    stderr: { write: (s: string) => stderr.write(s), get columns() { return stderr.columns; }, get rows() { return stderr.rows; } },
    progressMode: progressMode(ctx, flags, ansi),
    color,
    parallel,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: Date.now,
    onInterrupt: interrupts(),
  };
  session.build = (action, o) => buildService(session, action, o);
  return session;
}

/** A compose error as the command line shows it: the daemon's answers as docker words them. */
export function commandError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const cause = (err as { cause?: unknown }).cause;
  const e = err instanceof EngineError ? err : cause instanceof EngineError ? cause : undefined;
  if (e) return new StatusError(1, `Error response from daemon: ${e.message}`);
  if (cause instanceof StatusError) return cause;
  return new StatusError(1, err instanceof Error ? err.message : String(err));
}

/** Runs a compose operation, its failure ending the command as compose ends it. */
export async function composeCall<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw commandError(err);
  }
}
