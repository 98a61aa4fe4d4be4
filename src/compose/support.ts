// Keys of the specification that Berth's compose does not carry out, refused before anything is
// created (a key accepted must have its effect: STYLE.md). Each message names the service and
// the key. Everything else of the model is carried out by the create request, the planner, the
// executor (hooks, secrets and configs by value) or the build.
import { InvalidArgument } from '../errors/index.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';

function refuse(service: ServiceConfig, what: string): never {
  throw new InvalidArgument(`service ${JSON.stringify(service.name)}: ${what}`);
}

/** The build keys the classic /build protocol cannot carry (compose's own wording where it has one). */
export function checkBuildSupported(service: ServiceConfig): void {
  const b = service.build;
  if (!b) return;
  const buildkit = 'set DOCKER_BUILDKIT=1 to use BuildKit';
  if ((b.platforms?.length ?? 0) > 1) refuse(service, `the classic builder doesn't support multi-arch build, ${buildkit}`);
  if (b.privileged) refuse(service, `the classic builder doesn't support privileged mode, ${buildkit}`);
  if (b.additional_contexts && Object.keys(b.additional_contexts).length > 0) refuse(service, `the classic builder doesn't support additional contexts, ${buildkit}`);
  if (b.ssh && Object.keys(b.ssh).length > 0) refuse(service, `the classic builder doesn't support SSH keys, ${buildkit}`);
  if (b.secrets && b.secrets.length > 0) refuse(service, `the classic builder doesn't support secrets, ${buildkit}`);
  if (b.cache_to && b.cache_to.length > 0) refuse(service, 'build.cache_to is not supported by the classic builder (it keeps no exportable cache)');
  if (b.entitlements && b.entitlements.length > 0) refuse(service, 'build.entitlements are not supported by the classic builder');
  if (b.ulimits && Object.keys(b.ulimits).length > 0) refuse(service, 'build.ulimits are not supported by the classic builder');
  const attestation = (v: string | undefined) => v !== undefined && v !== '' && v !== 'false' && v !== '0';
  if (attestation(b.provenance)) refuse(service, 'build.provenance attestations need BuildKit; the classic builder makes none');
  if (attestation(b.sbom)) refuse(service, 'build.sbom attestations need BuildKit; the classic builder makes none');
}

export function checkSupported(project: ComposeProject, services: readonly string[] = Object.keys(project.services)): void {
  for (const name of services) {
    const s = project.services[name];
    if (!s) continue;
    if (s.provider) refuse(s, `provider services (provider.type ${JSON.stringify(s.provider.type)}) are not supported`);
    if (s.models && Object.keys(s.models).length > 0) refuse(s, 'models (Docker Model Runner) are not supported');
    if (s.use_api_socket) refuse(s, 'use_api_socket is not supported: mount the daemon socket with a bind volume instead');
    if (s.credential_spec) refuse(s, 'credential_spec is only supported for Windows containers');
    checkBuildSupported(s);
  }
}

/**
 * Keys accepted as compose accepts them but without effect outside a swarm or `compose watch`:
 * said out loud rather than dropped in silence.
 */
export function supportWarnings(project: ComposeProject, services: readonly string[] = Object.keys(project.services)): string[] {
  const out: string[] = [];
  for (const name of services) {
    const s = project.services[name];
    if (!s) continue;
    if (s.develop) out.push(`services.${name}.develop is used by \`compose watch\` only, which Berth does not have: it has no effect`);
    const d = s.deploy;
    if (d) {
      for (const key of ['placement', 'update_config', 'rollback_config', 'endpoint_mode', 'labels'] as const) {
        if (d[key] !== undefined) out.push(`services.${name}.deploy.${key} is a swarm setting: it has no effect with compose`);
      }
      if (d.mode === 'global') out.push(`services.${name}.deploy.mode global is a swarm setting: compose runs one container`);
    }
    for (const ref of s.secrets ?? []) {
      const def = project.secrets[ref.source];
      if (def?.file && (ref.uid !== undefined || ref.gid !== undefined || ref.mode !== undefined)) {
        out.push(`services.${name}.secrets.${ref.source}: uid, gid and mode are not supported for a secret from a file (it is bind-mounted read-only); they are ignored`);
      }
    }
  }
  return out;
}
