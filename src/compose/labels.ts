// The labels and names by which compose finds its own containers, networks and volumes again,
// shared with docker-compose v1 and v2: a project brought up by one is listed, recreated and torn
// down by the others.
import type { ComposeProject, ServiceConfig } from './model.ts';

export const labels = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  slug: 'com.docker.compose.slug',
  configHash: 'com.docker.compose.config-hash',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
  environmentFile: 'com.docker.compose.project.environment_file',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  replace: 'com.docker.compose.replace',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
} as const;

/** The compose version Berth's compose writes in com.docker.compose.version. */
export const composeVersion = '2.29.7';

/** `<project>-<service>-<n>` (compose v2; v1 used `_`), or the service's container_name. */
export function containerName(projectName: string, service: Pick<ServiceConfig, 'name' | 'container_name'>, number: number): string {
  return service.container_name || `${projectName}-${service.name}-${number}`;
}

/** Labels every container of a service carries, before the per-container ones (number, hash…). */
export function serviceLabels(project: Pick<ComposeProject, 'name' | 'workingDir' | 'composeFiles' | 'envFiles'>, service: ServiceConfig, version = composeVersion): Record<string, string> {
  const out: Record<string, string> = {
    [labels.project]: project.name,
    [labels.service]: service.name,
    [labels.version]: version,
    [labels.workingDir]: project.workingDir,
    [labels.configFiles]: project.composeFiles.join(','),
    [labels.oneoff]: 'False',
  };
  if (project.envFiles.length > 0) out[labels.environmentFile] = project.envFiles.join(',');
  return out;
}

/** com.docker.compose.depends_on: `service:condition:restart`, comma separated, sorted. */
export function dependsOnLabel(service: ServiceConfig): string {
  return Object.keys(service.depends_on ?? {})
    .sort()
    .map((d) => {
      const dep = service.depends_on![d];
      return `${d}:${dep.condition}:${dep.restart}`;
    })
    .join(',');
}

export function networkLabels(projectName: string, key: string, version = composeVersion): Record<string, string> {
  return { [labels.network]: key, [labels.project]: projectName, [labels.version]: version };
}

export function volumeLabels(projectName: string, key: string, version = composeVersion): Record<string, string> {
  return { [labels.volume]: key, [labels.project]: projectName, [labels.version]: version };
}
