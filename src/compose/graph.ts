// The services' dependency graph (depends_on, after normalization has added what links,
// network_mode: service: and volumes_from imply): cycles are an error, and the order in which
// services start is dependencies first; stop order is the reverse.
import { InvalidArgument } from '../errors/index.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';
import { sortedKeys } from './tree.ts';

/** compose-go's check: names visited in order, so the reported cycle is the same on every run. */
export function checkDependencyCycles(services: Readonly<Record<string, ServiceConfig>>): void {
  const search = (path: string[]): void => {
    const current = services[path[path.length - 1]];
    for (const dep of sortedKeys(current?.depends_on)) {
      const at = path.indexOf(dep);
      if (at >= 0) throw new InvalidArgument(`dependency cycle detected: ${[...path.slice(at), dep].join(' -> ')}`);
      if (!services[dep]) continue;
      search([...path, dep]);
    }
  };
  for (const name of sortedKeys(services)) search([name]);
}

/**
 * Services ordered so that each comes after the services it depends on (those present in
 * `services`); among services whose dependencies are met, alphabetical order.
 */
export function dependencyOrder(services: Readonly<Record<string, ServiceConfig>>): string[] {
  checkDependencyCycles(services);
  const done = new Set<string>();
  const order: string[] = [];
  const names = sortedKeys(services);
  while (order.length < names.length) {
    const next = names.find((n) => !done.has(n) && sortedKeys(services[n].depends_on).every((d) => done.has(d) || !services[d]));
    if (next === undefined) break; // unreachable after checkDependencyCycles
    done.add(next);
    order.push(next);
  }
  return order;
}

/** The services that depend on `name` (optionally only through dependencies matching `filter`). */
export function dependents(
  project: Pick<ComposeProject, 'services'>,
  name: string,
  filter: (dep: NonNullable<ServiceConfig['depends_on']>[string]) => boolean = () => true,
): string[] {
  return sortedKeys(project.services).filter((s) => {
    const dep = project.services[s].depends_on?.[name];
    return dep !== undefined && filter(dep);
  });
}
