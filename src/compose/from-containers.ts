// A project known only by its name (`compose -p app stop` with no compose file, or `down` of a
// project whose files are gone): rebuilt from what its containers, networks and volumes carry —
// the service label, com.docker.compose.depends_on, the network and volume keys — as compose's
// projectFromName does.
import type { ContainerSummary } from '../types/index.ts';
import type { NetworkView, VolumeView } from './engine.ts';
import { labels } from './labels.ts';
import type { ComposeProject, DependencyCondition, ServiceConfig } from './model.ts';

const conditions = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

function dependsOn(label: string | undefined): ServiceConfig['depends_on'] {
  if (!label) return undefined;
  const out: NonNullable<ServiceConfig['depends_on']> = {};
  for (const entry of label.split(',')) {
    const [name, condition = 'service_started', restart = 'false'] = entry.split(':');
    if (!name) continue;
    out[name] = { condition: (conditions.has(condition) ? condition : 'service_started') as DependencyCondition, restart: restart === 'true', required: true };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function projectFromContainers(
  name: string,
  containers: readonly ContainerSummary[],
  resources: { networks?: readonly NetworkView[]; volumes?: readonly VolumeView[] } = {},
): ComposeProject {
  const services: Record<string, ServiceConfig> = {};
  let workingDir = '';
  let composeFiles: string[] = [];
  for (const c of containers) {
    const l = c.Labels ?? {};
    if (l[labels.project] !== name || l[labels.oneoff] === 'True') continue;
    const svc = l[labels.service];
    if (!svc) continue;
    workingDir ||= l[labels.workingDir] ?? '';
    if (composeFiles.length === 0 && l[labels.configFiles]) composeFiles = l[labels.configFiles].split(',');
    if (services[svc]) continue;
    const deps = dependsOn(l[labels.dependsOn]);
    services[svc] = { name: svc, image: c.Image, ...(deps ? { depends_on: deps } : {}) };
  }
  // Dependencies on services without containers are dropped: nothing to order against.
  for (const s of Object.values(services)) {
    if (!s.depends_on) continue;
    for (const d of Object.keys(s.depends_on)) if (!services[d]) delete s.depends_on[d];
    if (Object.keys(s.depends_on).length === 0) delete s.depends_on;
  }
  const networks: ComposeProject['networks'] = {};
  for (const n of resources.networks ?? []) {
    if (n.Labels?.[labels.project] !== name) continue;
    networks[n.Labels[labels.network] ?? n.Name] = { name: n.Name };
  }
  const volumes: ComposeProject['volumes'] = {};
  for (const v of resources.volumes ?? []) {
    if (v.Labels?.[labels.project] !== name) continue;
    volumes[v.Labels[labels.volume] ?? v.Name] = { name: v.Name };
  }
  return {
    name,
    workingDir,
    composeFiles,
    environment: {},
    envFiles: [],
    profiles: [],
    services,
    disabledServices: {},
    networks,
    volumes,
    secrets: {},
    configs: {},
    models: {},
  };
}
