// The real docker CLI for compat tests, pointed at a test berthd with its own client config.
import { spawnSync } from 'node:child_process';
import type { RunResult, TestDaemon } from './daemon.ts';

export const dockerBin = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => spawnSync(p, ['--version']).status === 0) ?? 'docker';

/** The environment that points the docker CLI at `d`. */
export function dockerEnv(d: TestDaemon, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: d.host, DOCKER_CONFIG: `${d.base}/docker-config`, DOCKER_CLI_HINTS: 'false', ...extra };
}

export function dockerAgainst(d: TestDaemon, args: string[], input?: string): RunResult {
  const r = spawnSync(dockerBin, args, { env: dockerEnv(d), input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
