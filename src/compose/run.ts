// `run`: a one-off container of a service (`app-web-run-0123456789ab`, labelled oneoff=True
// with its slug), its dependencies brought up first unless --no-deps, the service's
// configuration overridden by the command line: command, entrypoint, environment, labels,
// user, working directory, capabilities, volumes, ports (none unless --service-ports, plus
// --publish), tty and stdin. The attached session itself is the CLI's.
import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { InvalidArgument } from '../errors/index.ts';
import { buildCreateRequest, serviceLinks } from './create-request.ts';
import { executePlan, writeInjectedFiles } from './executor.ts';
import { selectServices } from './loader.ts';
import { labels as composeLabels } from './labels.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';
import { observeProject, projectContainers } from './observe.ts';
import type { Action } from './planner.ts';
import { progressOn, type Session } from './session.ts';
import { parsePortShort, parseVolumeShort } from './short-syntax.ts';
import { checkSupported } from './support.ts';
import { toService } from './to-model.ts';
import { ensureImages, upProject } from './up.ts';

export interface RunOverrides {
  command?: string[];
  entrypoint?: string[];
  /** KEY=VALUE, or KEY alone (taken from the project's environment). */
  env: string[];
  labels: string[];
  name?: string;
  user?: string;
  workdir?: string;
  capAdd: string[];
  capDrop: string[];
  volumes: string[];
  publish: string[];
  servicePorts: boolean;
  tty: boolean;
  interactive: boolean;
}

export interface RunOptions {
  noDeps: boolean;
  rm: boolean;
  useAliases: boolean;
  build: boolean;
  quietPull: boolean;
  removeOrphans: boolean;
  /** Resolves relative bind sources of -v. */
  cwd: string;
}

/** The service as `run` creates it: the file's configuration with the command line's overrides. */
export function oneOffService(project: ComposeProject, name: string, o: RunOverrides, cwd: string): ServiceConfig {
  const base = project.services[name];
  if (!base) throw new InvalidArgument(`no such service: ${name}`);
  const s: ServiceConfig = { ...base, tty: o.tty, stdin_open: o.interactive };
  delete s.container_name;
  delete s.restart;
  if (s.deploy) s.deploy = { ...s.deploy, restart_policy: undefined };
  if (o.name) s.container_name = o.name;
  if (o.command && o.command.length > 0) s.command = o.command;
  if (o.entrypoint) {
    s.entrypoint = o.entrypoint;
    if (!o.command || o.command.length === 0) s.command = [];
  }
  if (o.user) s.user = o.user;
  if (o.workdir) s.working_dir = o.workdir;
  if (o.capAdd.length > 0) {
    s.cap_add = [...(s.cap_add ?? []), ...o.capAdd];
    s.cap_drop = (s.cap_drop ?? []).filter((c) => !o.capAdd.includes(c));
  }
  if (o.capDrop.length > 0) {
    s.cap_drop = [...(s.cap_drop ?? []), ...o.capDrop];
    s.cap_add = (s.cap_add ?? []).filter((c) => !o.capDrop.includes(c));
  }
  if (o.env.length > 0) {
    const env = { ...(s.environment ?? {}) };
    for (const e of o.env) {
      const eq = e.indexOf('=');
      if (eq >= 0) env[e.slice(0, eq)] = e.slice(eq + 1);
      else if (project.environment[e] !== undefined) env[e] = project.environment[e];
    }
    s.environment = env;
  }
  if (o.labels.length > 0) {
    const labels = { ...(s.labels ?? {}) };
    for (const l of o.labels) {
      const eq = l.indexOf('=');
      labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
    }
    s.labels = labels;
  }
  // The command line's volumes and ports, parsed as the file's short syntax is.
  const parsed = toService(name, { volumes: o.volumes.map((v) => parseVolumeShort(v)), ports: o.publish.flatMap((p) => parsePortShort(p)) }, ['services', name]);
  const volumes = (parsed.volumes ?? []).map((v) => (v.type === 'bind' && v.source && !isAbsolute(v.source) ? { ...v, source: resolve(cwd, v.source) } : v));
  if (volumes.length > 0) s.volumes = [...(s.volumes ?? []).filter((v) => !volumes.some((n) => n.target === v.target)), ...volumes];
  s.ports = [...(o.servicePorts ? (s.ports ?? []) : []), ...(parsed.ports ?? [])];
  if (s.ports.length === 0) delete s.ports;
  return s;
}

/** Everything `run` does before the session: dependencies, image, the container. Returns its id. */
export async function prepareRun(session: Session, project: ComposeProject, name: string, overrides: RunOverrides, options: RunOptions): Promise<{ id: string; name: string }> {
  checkSupported(project, [name]);
  const service = oneOffService(project, name, overrides, options.cwd);
  const engine = session.engine;
  const dependencies = Object.keys(service.depends_on ?? {}).filter((d) => project.services[d]);
  if (!options.noDeps && dependencies.length > 0) {
    const deps = selectServices(project, dependencies, { dependencies: true });
    await upProject(session, deps, { services: dependencies, plan: { removeOrphans: options.removeOrphans }, detach: true, quietPull: options.quietPull });
  }
  const single: ComposeProject = { ...project, services: { [name]: service } };
  const observed = await observeProject(engine, single);
  await ensureImages(session, single, observed, { build: options.build ? 'always' : 'auto', quietPull: options.quietPull, services: [name] });

  const containers = await projectContainers(engine, project.name, { all: false, oneOff: false });
  const namesOf = (svc: string) =>
    containers
      .filter((c) => c.Labels?.[composeLabels.service] === svc)
      .map((c) => (c.Names?.[0] ?? '').replace(/^\//, ''))
      .sort();
  if (!options.noDeps) {
    // The dependencies' conditions (healthy, completed) are awaited as `up` awaits them.
    const waits: Action[] = [];
    for (const [dep, cfg] of Object.entries(service.depends_on ?? {})) {
      if (cfg.condition === 'service_started' || !project.services[dep]) continue;
      const of = containers.filter((c) => c.Labels?.[composeLabels.service] === dep);
      const all = of.length > 0 ? of : (await projectContainers(engine, project.name, { all: true, oneOff: false, services: [dep] }));
      if (all.length === 0) {
        if (cfg.required) throw new InvalidArgument(`${name} is missing dependency ${dep}`);
        continue;
      }
      waits.push({ kind: 'wait', id: waits.length + 1, after: [], service: dep, condition: cfg.condition, required: cfg.required, for: name, containers: all.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? '').replace(/^\//, '') })) });
    }
    if (waits.length > 0) {
      const progress = progressOn(session, 'Running');
      try {
        await executePlan(waits, { engine, project, progress, sleep: session.sleep });
      } finally {
        progress.stop();
      }
    }
  }

  const slug = randomBytes(32).toString('hex');
  const containerName = service.container_name ?? `${project.name}-${name}-run-${slug.slice(0, 12)}`;
  const request = buildCreateRequest(project, service, {
    number: 1,
    name: containerName,
    oneoff: { slug, useAliases: options.useAliases },
    autoRemove: options.rm,
    attachStdin: overrides.interactive,
    links: serviceLinks(project.name, service, 1, namesOf),
    serviceContainer: (svc) => namesOf(svc)[0],
    apiVersion: await engine.apiVersion(),
  });
  const { id } = await engine.createContainer(request);
  for (const c of request.connect) await engine.connectNetwork(c.network, id, c.endpoint);
  await writeInjectedFiles(engine, id, project, service);
  return { id, name: containerName };
}
