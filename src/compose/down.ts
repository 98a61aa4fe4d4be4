// `down`: the project's containers stopped (dependents first) and removed, then its networks,
// and on request its named volumes (-v) and images (--rmi), as compose v2's down does.
import { executePlan } from './executor.ts';
import { dependents } from './graph.ts';
import { labels } from './labels.ts';
import { checkServices } from './lifecycle.ts';
import type { ComposeProject } from './model.ts';
import { observeProject } from './observe.ts';
import { planDown, type DownOptions } from './planner.ts';
import { progressOn, warn, type Session } from './session.ts';

export interface DownRequest extends DownOptions {
  /** Only these services (and what depends on them). */
  services?: readonly string[];
  /** The project came from compose files (an unknown service is then an error). */
  fromFiles: boolean;
}

/** Each named service and, transitively, the services that depend on it. */
function withDependents(project: ComposeProject, services: readonly string[]): Set<string> {
  const all = { services: { ...project.disabledServices, ...project.services } };
  const out = new Set<string>();
  const visit = (s: string) => {
    if (out.has(s)) return;
    out.add(s);
    for (const d of dependents(all, s)) visit(d);
  };
  for (const s of services) visit(s);
  return out;
}

export async function downProject(session: Session, project: ComposeProject, request: DownRequest): Promise<void> {
  let services = request.services ?? [];
  if (services.length > 0) {
    if (request.fromFiles) checkServices(project, services);
    else services = services.filter((s) => project.services[s] || project.disabledServices[s]);
  }
  const observed = await observeProject(session.engine, project);
  let state = observed;
  if (services.length > 0) {
    const keep = withDependents(project, services);
    // Only those services' containers; networks and volumes stay (others still use them).
    state = { ...observed, containers: observed.containers.filter((c) => keep.has(c.labels[labels.service] ?? '')), networks: [], volumes: [] };
  }
  const plan = planDown(project, state, request);
  for (const w of plan.warnings) warn(session, w);
  if (plan.actions.length === 0) {
    warn(session, `Warning: No resource found to remove for project ${JSON.stringify(project.name)}.`);
    return;
  }
  const progress = progressOn(session, 'Running');
  try {
    await executePlan(plan, { engine: session.engine, project, progress, parallel: session.parallel, sleep: session.sleep });
  } finally {
    progress.stop();
  }
}
