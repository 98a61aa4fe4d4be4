// dockerode's own mocha suite (../shared/third-party/), run unchanged against a daemon: unpacked
// into a temp dir with its dev dependencies, its Docker Hub images replaced by stand-ins served
// from a local registry that the daemon uses as its docker.io mirror.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipLayer, pushImage } from '../integration/distribution/registry-helpers.ts';
import { busyboxRootfsTar, repoRoot } from './daemon.ts';
import { inNetns } from './netns.ts';

const tarballName = 'dockerode-5.0.1-3624bc0.tar.gz';

/** The tarball in ../shared/third-party/ beside the checkout (two levels up from a worktree in /work/wt/). */
export function findDockerodeTarball(): string {
  const candidates = [resolve(repoRoot, '..', 'shared', 'third-party', tarballName), resolve(repoRoot, '..', '..', 'shared', 'third-party', tarballName)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`dockerode's tarball not found (looked for ${candidates.join(', ')}); see ../shared/third-party/README.md`);
  return found;
}

/** Its test files but swarm.js (this daemon is no swarm manager), in mocha's own order. */
export const dockerodeTestFiles = ['buildkit_test.js', 'container.js', 'docker.js', 'image.js', 'networks.js', 'plugin.js', 'promises.js', 'util.js'];

/** The Docker Hub repositories the suite pulls or names: ubuntu, redis (swarm.js) and alpine (its buildkit Dockerfile). */
export const standInRepositories = ['library/ubuntu', 'library/redis', 'library/alpine'];

/** Unpacks dockerode into `dir` and installs its locked dependencies (mocha, chai…) there. */
export function prepareDockerode(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', findDockerodeTarball(), '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`unpacking dockerode: ${untar.stderr}`);
  // --ignore-scripts: nothing the suite needs is built at install time.
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  if (npm.status !== 0) throw new Error(`npm ci in dockerode (${npm.status}): ${npm.stderr}`);
  return dir;
}

/**
 * Puts the stand-ins into a registry without auth: busybox with all its applets and a /bin/bash
 * that runs /bin/sh (the suite runs `bash -c …`, `uptime`, `wc -c`, `uname -a`).
 */
export async function seedStandIns(dir: string, registryHost: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tar = busyboxRootfsTar(dir, { allApplets: true, files: { 'bin/bash': '#!/bin/sh\nexec /bin/sh "$@"\n' } });
  const layer = gzipLayer(readFileSync(tar));
  for (const repo of standInRepositories) await pushImage(registryHost, repo, 'latest', [layer], { cmd: ['bash'] });
}

/** seedStandIns, run inside a network namespace (where the registry listens on loopback). */
export function seedStandInsInNetns(netns: string, dir: string, registryHost: string): void {
  const script = `const m = await import(${JSON.stringify(new URL(import.meta.url).href)}); await m.seedStandIns(${JSON.stringify(dir)}, ${JSON.stringify(registryHost)});`;
  const [cmd, args] = inNetns(netns, process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`seeding the stand-ins (${r.status}): ${r.stderr}`);
}

export interface MochaTest {
  title: string;
  fullTitle: string;
  err: { message?: string; stack?: string };
}

export interface MochaReport {
  stats: { tests: number; passes: number; failures: number; pending: number };
  passes: MochaTest[];
  failures: MochaTest[];
  pending: MochaTest[];
}

/**
 * Runs the suite against `dockerHost` (unix://…) with mocha's JSON reporter writing to a file, so
 * the tests' own output (pull progress piped to stdout) cannot garble the report.
 */
export async function runDockerode(dir: string, dockerHost: string, o: { timeoutMs?: number } = {}): Promise<{ report: MochaReport; stdout: string; stderr: string }> {
  const reportFile = join(dir, 'mocha-report.json');
  const mocha = join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js');
  // spec_helper.js computes `DOCKER_SOCKET || isWin ? pipe : '/var/run/docker.sock'`: with
  // DOCKER_SOCKET set it looks for a Windows pipe, finds none and builds its clients from
  // DOCKER_HOST — never from a /var/run/docker.sock that may exist on the machine.
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: dockerHost, DOCKER_SOCKET: dockerHost.replace(/^unix:\/\//, '') };
  // The suite's build tests make temporary folders (os.tmpdir()/dockerode-XXXXXX) and leave them:
  // inside `dir`, they go with it.
  env.TMPDIR = join(dir, 'tmp');
  mkdirSync(env.TMPDIR, { recursive: true });
  delete env.DOCKER_CERT_PATH;
  delete env.DOCKER_TLS_VERIFY;
  const child = spawn(process.execPath, [mocha, '--exit', '--reporter', 'json', '--reporter-option', `output=${reportFile}`, ...dockerodeTestFiles.map((f) => join('test', f))], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timeoutMs = o.timeoutMs ?? 300_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  clearTimeout(timer);
  if (!existsSync(reportFile)) throw new Error(`mocha wrote no report (exit ${code}):\n${stderr}\n${stdout.slice(-4000)}`);
  return { report: JSON.parse(readFileSync(reportFile, 'utf8')) as MochaReport, stdout, stderr };
}
