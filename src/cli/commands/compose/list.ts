// compose ps, ls, images, top, port, events, wait, logs and version: what compose v2 prints, in
// its columns (NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS…) and JSON shapes.
import {
  composeVersion,
  downProject,
  LogConsumer,
  projectContainers,
  showLogs,
  type EngineEvent,
  type Session,
} from '../../../compose/index.ts';
import { TabWriter, terminalWidth } from '../../../template/index.ts';
import type { ContainerSummary } from '../../../types/index.ts';
import type { CliContext, CommandRun } from '../../command.ts';
import { StatusError } from '../../errors.ts';
import { makeRow, printRows } from '../../format.ts';
import { parseTimestampArg } from '../../time.ts';
import { ago, ellipsis, goQuote, goTimeString, size, truncateId } from '../../util.ts';
import { formatPorts } from '../container/ps.ts';
import { composeCall, projectName, projectOrName, sessionFor } from './project.ts';
import type * as spec from './specs.ts';

const label = (c: ContainerSummary, key: string) => c.Labels?.[`com.docker.compose.${key}`] ?? '';
const nameOf = (c: ContainerSummary) => (c.Names?.[0] ?? '').replace(/^\//, '');

/** compose's formatter.PrintPrettySection: a header row and columns, tabwriter(20, 1, 3). */
function prettySection(ctx: CliContext, headers: string[], rows: string[][], minWidth = 20): void {
  const tw = new TabWriter({ minWidth, tabWidth: 1, padding: 3, padChar: ' ', cellWidth: terminalWidth });
  tw.write(`${headers.join('\t')}\n`);
  for (const r of rows) tw.write(`${r.join('\t')}\n`);
  ctx.stdout.write(tw.flush());
}

const psHeaders: Record<string, string> = {
  ID: 'CONTAINER ID',
  Name: 'NAME',
  Names: 'NAMES',
  Project: 'PROJECT',
  Service: 'SERVICE',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Health: 'HEALTH',
  ExitCode: 'EXIT CODE',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Publishers: 'PUBLISHERS',
};
const psTable = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';

async function psRow(session: Session, c: ContainerSummary, trunc: boolean, now: number) {
  let health = '';
  let exitCode = 0;
  try {
    const view = await session.engine.inspectContainer(c.Id);
    if (view.State.Status === 'running') health = view.State.Health?.Status ?? '';
    else if (view.State.Status === 'exited' || view.State.Status === 'dead') exitCode = view.State.ExitCode;
  } catch {
    // removed meanwhile: listed as the list said
  }
  const ports = [...(c.Ports ?? [])].sort((a, b) => a.PrivatePort - b.PrivatePort);
  const publishers = ports.map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type }));
  const labels = c.Labels ?? {};
  const mounts = (c.Mounts ?? []).map((m) => (m.Name ? m.Name : m.Source));
  return makeRow('ContainerContext', {
    ID: trunc ? truncateId(c.Id) : c.Id,
    Name: nameOf(c),
    Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
    Project: labels['com.docker.compose.project'] ?? '',
    Service: labels['com.docker.compose.service'] ?? '',
    Image: c.Image,
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    RunningFor: ago(c.Created, now),
    ExitCode: exitCode,
    State: c.State,
    Status: c.Status,
    Health: health,
    Publishers: publishers,
    Ports: formatPorts(ports),
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Label: (name: string) => labels[name] ?? '',
    Mounts: (trunc ? mounts.map((m) => ellipsis(m, 15)) : mounts).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    Size: c.SizeRw === undefined ? '0B' : `${size(c.SizeRw)}`,
  });
}

export const ps: CommandRun<typeof spec.ps.flags> = async (ctx, args, flags) => {
  const status = [...(flags.status ?? [])];
  if (flags.filter) {
    const eq = flags.filter.indexOf('=');
    if (eq < 0) throw new StatusError(1, 'arguments to --filter should be in form KEY=VAL');
    const key = flags.filter.slice(0, eq);
    if (key === 'source') throw new StatusError(1, 'not implemented');
    if (key !== 'status') throw new StatusError(1, `unknown filter ${key}`);
    status.push(flags.filter.slice(eq + 1));
  }
  const session = sessionFor(ctx, flags);
  const { project, fromFiles } = await composeCall(projectOrName(ctx, flags, session));
  let services = args;
  if (fromFiles) {
    for (const s of args) if (!project.services[s] && !project.disabledServices[s]) throw new StatusError(1, `no such service: ${s}`);
    if (args.length === 0 && !flags.orphans) services = Object.keys(project.services);
  }
  const all = !!flags.all || status.length > 0;
  let containers = await composeCall(projectContainers(session.engine, project.name, { all, ...(flags.all ? {} : { oneOff: false }), services }));
  if (status.length > 0) containers = containers.filter((c) => status.includes(c.State));
  containers.sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  if (flags.quiet) {
    for (const c of containers) ctx.stdout.write(`${c.Id}\n`);
    return;
  }
  if (flags.services) {
    const names: string[] = [];
    for (const c of containers) if (!names.includes(label(c, 'service'))) names.push(label(c, 'service'));
    ctx.stdout.write(`${names.join('\n')}\n`);
    return;
  }
  const now = Date.now();
  const rows = await Promise.all(containers.map((c) => psRow(session, c, !flags['no-trunc'], now)));
  printRows(ctx, rows, { format: flags.format === 'table' ? undefined : flags.format, defaultTable: psTable, headers: psHeaders });
};

/** `ls`: projects with the states of their containers, "running(2), exited(1)". */
export const ls: CommandRun<typeof spec.ls.flags> = async (ctx, _args, flags) => {
  const names: string[] = [];
  for (const f of flags.filter ?? []) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (key !== 'name') throw new StatusError(1, `invalid filter '${key}'`);
    names.push(f.slice(eq + 1));
  }
  const session = sessionFor(ctx, flags);
  const list = await composeCall(session.engine.listContainers({ all: !!flags.all, labels: { 'com.docker.compose.project': true, 'com.docker.compose.config-hash': true } }));
  const projects = new Map<string, ContainerSummary[]>();
  for (const c of list) {
    const p = label(c, 'project');
    (projects.get(p) ?? projects.set(p, []).get(p)!).push(c);
  }
  const stacks = [...projects.keys()]
    .sort()
    .filter((p) => names.length === 0 || names.some((n) => p.includes(n)))
    .map((name) => {
      const cs = projects.get(name)!;
      const counts = new Map<string, number>();
      for (const c of cs) counts.set(c.State, (counts.get(c.State) ?? 0) + 1);
      const status = [...counts.keys()]
        .sort()
        .map((s) => `${s}(${counts.get(s)})`)
        .join(', ');
      const files: string[] = [];
      for (const c of cs) for (const f of label(c, 'project.config_files').split(',')) if (f && !files.includes(f)) files.push(f);
      return { Name: name, Status: status, ConfigFiles: files.join(',') };
    });
  if (flags.quiet) {
    for (const s of stacks) ctx.stdout.write(`${s.Name}\n`);
    return;
  }
  if (flags.format === 'json') {
    ctx.stdout.write(`${JSON.stringify(stacks)}\n`);
    return;
  }
  if (flags.format !== 'table' && flags.format !== '' && flags.format !== 'pretty') throw new StatusError(1, `format value ${JSON.stringify(flags.format)} could not be parsed: parsing failed`);
  prettySection(
    ctx,
    ['NAME', 'STATUS', 'CONFIG FILES'],
    stacks.map((s) => [s.Name, s.Status, s.ConfigFiles]),
  );
};

export const images: CommandRun<typeof spec.images.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const name = composeCall(Promise.resolve().then(() => projectName(ctx, flags)));
  const containers = await composeCall(projectContainers(session.engine, await name, { all: true, oneOff: false, services: args }));
  const rows: Array<{ ContainerName: string; Repository: string; Tag: string; ID: string; Size: number }> = [];
  for (const c of containers) {
    const image = await session.engine.inspectImage(c.ImageID || c.Image).catch(() => undefined);
    if (!image) continue;
    const ref = (image.RepoTags ?? []).find((t) => t === c.Image || t === `${c.Image}:latest`) ?? image.RepoTags?.[0] ?? '';
    const at = ref.lastIndexOf(':');
    const [repo, tag] = at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, ''];
    rows.push({ ContainerName: nameOf(c), Repository: repo, Tag: tag, ID: image.Id, Size: image.Size ?? 0 });
  }
  if (flags.quiet) {
    const ids: string[] = [];
    for (const r of rows) {
      const id = r.ID.replace(/^sha256:/, '');
      if (!ids.includes(id)) ids.push(id);
    }
    for (const id of ids) ctx.stdout.write(`${id}\n`);
    return;
  }
  rows.sort((a, b) => (a.ContainerName < b.ContainerName ? -1 : a.ContainerName > b.ContainerName ? 1 : 0));
  if (flags.format === 'json') {
    ctx.stdout.write(`${JSON.stringify(rows)}\n`);
    return;
  }
  if (flags.format !== 'table' && flags.format !== '') throw new StatusError(1, `format value ${JSON.stringify(flags.format)} could not be parsed: parsing failed`);
  prettySection(
    ctx,
    ['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'],
    rows.map((r) => [r.ContainerName, r.Repository || '<none>', r.Tag || '<none>', truncateId(r.ID), size(r.Size)]),
  );
};

export const top: CommandRun<typeof spec.top.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const name = projectName(ctx, flags);
  const containers = (await composeCall(projectContainers(session.engine, name, { all: false, oneOff: false, services: args }))).sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  for (const c of containers) {
    const t = await composeCall(session.engine.top(c.Id));
    ctx.stdout.write(`${nameOf(c)}\n`);
    const tw = new TabWriter({ minWidth: 5, tabWidth: 1, padding: 3, padChar: ' ', cellWidth: terminalWidth });
    tw.write(`${t.Titles.join('\t')}\n`);
    for (const p of t.Processes) tw.write(`${p.map((x) => `${x}\t`).join('')}\n`);
    tw.write('\n');
    ctx.stdout.write(tw.flush());
  }
};

/** The container of a service that --index picks (the lowest number without it). */
export async function serviceContainer(session: Session, project: string, service: string, index: number, options: { running: boolean }): Promise<ContainerSummary> {
  const list = await composeCall(projectContainers(session.engine, project, { all: !options.running, oneOff: false, services: [service] }));
  const number = (c: ContainerSummary) => Number.parseInt(label(c, 'container-number'), 10) || 0;
  list.sort((a, b) => number(a) - number(b));
  const c = index > 0 ? list.find((x) => number(x) === index) : list[0];
  if (!c) {
    if (index > 0) throw new StatusError(1, `service ${JSON.stringify(service)} is not running container #${index}`);
    throw new StatusError(1, `service ${JSON.stringify(service)} is not running`);
  }
  return c;
}

export const port: CommandRun<typeof spec.port.flags> = async (ctx, args, flags) => {
  const [service, privateArg] = args as [string, string];
  const privatePort = Number(privateArg);
  if (!/^\d+$/.test(privateArg)) throw new StatusError(1, `strconv.ParseUint: parsing ${JSON.stringify(privateArg)}: invalid syntax`);
  const session = sessionFor(ctx, flags);
  const c = await serviceContainer(session, projectName(ctx, flags), service, flags.index, { running: false });
  const match = (c.Ports ?? []).find((p) => p.PrivatePort === privatePort && p.Type === flags.protocol && p.PublicPort);
  if (!match) throw new StatusError(1, `no port ${privatePort}/${flags.protocol} for container ${nameOf(c)}`);
  ctx.stdout.write(`${match.IP ?? '0.0.0.0'}:${match.PublicPort}\n`);
};

/** The project's container events, matched by its labels (looked up once per container: not every daemon copies them onto each event). */
async function projectEvents(session: Session, project: string, onEvent: (e: EngineEvent, labels: Record<string, string>) => void, signal: AbortSignal): Promise<void> {
  const stream = await composeCall(session.engine.events({ filters: { type: ['container'] } }));
  signal.addEventListener('abort', () => stream.close(), { once: true });
  const known = new Map<string, Record<string, string> | null>();
  for await (const e of stream) {
    let labels: Record<string, string> | null | undefined = e.Actor.Attributes['com.docker.compose.project'] ? e.Actor.Attributes : known.get(e.Actor.ID);
    if (labels === undefined) {
      labels = await session.engine.inspectContainer(e.Actor.ID).then(
        (v) => v.Config.Labels ?? {},
        () => null,
      );
    }
    known.set(e.Actor.ID, labels);
    if (!labels || labels['com.docker.compose.project'] !== project) continue;
    onEvent(e, labels);
  }
}

function interrupted(session: Session): { signal: AbortSignal; stop: () => void; aborted: () => boolean } {
  const ctl = new AbortController();
  const stop = session.onInterrupt(() => ctl.abort());
  return { signal: ctl.signal, stop, aborted: () => ctl.signal.aborted };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export const events: CommandRun<typeof spec.events.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const name = projectName(ctx, flags);
  const { signal, stop, aborted } = interrupted(session);
  try {
    await projectEvents(
      session,
      name,
      (e, labels) => {
        if (labels['com.docker.compose.oneoff'] === 'True') return;
        const service = labels['com.docker.compose.service'] ?? '';
        if (args.length > 0 && !args.includes(service)) return;
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(e.Actor.Attributes)) if (!k.startsWith('com.docker.compose.')) attributes[k] = v;
        const ns = BigInt(Math.trunc(e.timeNano || e.time * 1e9));
        const d = new Date(Number(ns / 1_000_000n));
        if (flags.json) {
          ctx.stdout.write(`${JSON.stringify({ action: e.Action, attributes, id: e.Actor.ID, service, time: d.toISOString(), type: 'container' })}\n`);
          return;
        }
        const micros = pad(Number((ns / 1000n) % 1_000_000n), 6);
        const t = `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${micros}`;
        const attrs = Object.entries(attributes).map(([k, v]) => `${k}=${v}`);
        ctx.stdout.write(`${t} container ${e.Action} ${e.Actor.ID} (${attrs.join(', ')})\n\n`);
      },
      signal,
    );
  } finally {
    stop();
  }
  return aborted() ? 130 : 0;
};

export const wait: CommandRun<typeof spec.wait.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project } = await composeCall(projectOrName(ctx, flags, session));
  for (const s of args) if (!project.services[s] && !project.disabledServices[s]) throw new StatusError(1, `no such service: ${s}`);
  const containers = await composeCall(projectContainers(session.engine, project.name, { all: false, oneOff: false, services: args }));
  if (containers.length === 0) throw new StatusError(1, 'no containers for project');
  const first = await Promise.race(containers.map((c) => session.engine.waitContainer(c.Id)));
  if (flags['down-project']) await composeCall(downProject(session, project, { fromFiles: true }));
  return first.exitCode;
};

export const logs: CommandRun<typeof spec.logs.flags> = async (ctx, args, flags) => {
  const session = sessionFor(ctx, flags);
  const { project, fromFiles } = await composeCall(projectOrName(ctx, flags, session));
  if (fromFiles) for (const s of args) if (!project.services[s] && !project.disabledServices[s]) throw new StatusError(1, `no such service: ${s}`);
  let containers = await composeCall(projectContainers(session.engine, project.name, { all: true, oneOff: false, services: args }));
  if (flags.index > 0) containers = containers.filter((c) => label(c, 'container-number') === String(flags.index));
  const consumer = new LogConsumer(session.stdout, session.stderr, { color: session.color && !flags['no-color'], prefix: !flags['no-log-prefix'], timestamps: false });
  const { signal, stop, aborted } = interrupted(session);
  const time = (v: string | undefined) => {
    if (!v) return undefined;
    try {
      return parseTimestampArg(v);
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
  };
  try {
    await composeCall(
      showLogs(session.engine, consumer, containers, { follow: !!flags.follow, tail: flags.tail, timestamps: !!flags.timestamps, since: time(flags.since), until: time(flags.until) }, signal),
    );
  } finally {
    stop();
  }
  return aborted() ? 130 : 0;
};

export const version: CommandRun<typeof spec.version.flags> = (ctx, _args, flags) => {
  if (flags.short) ctx.stdout.write(`${composeVersion}\n`);
  else if (flags.format === 'json') ctx.stdout.write(`${JSON.stringify({ version: `v${composeVersion}` })}\n`);
  else if (flags.format === undefined || flags.format === '' || flags.format === 'pretty') ctx.stdout.write(`Berth Compose version v${composeVersion}\n`);
  else throw new StatusError(1, `ERROR: Invalid format '${flags.format}'. Supported formats: 'pretty', 'json'`);
  return Promise.resolve();
};

