// Berth's registry (`berth registry serve`, the bundle in dist/) for the integration tests: its
// own root, config and port on 127.0.0.1, stopped by pid; plus small HTTP helpers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/daemon.ts';
import { freePort } from '../distribution/registry-helpers.ts';

export interface BerthRegistry {
  host: string;
  port: number;
  url: string;
  root: string;
  dir: string;
  process: ChildProcess;
  logs(): string;
  stop(): Promise<void>;
}

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export function htpasswdLine(user: string, password: string): string {
  const r = spawnSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs `berth registry serve` with `config` (YAML) and the extra flags; waits until it answers. */
export async function startBerthRegistry(base: string, o: { config?: string; args?: string[]; env?: Record<string, string>; name?: string; port?: number } = {}): Promise<BerthRegistry> {
  const port = o.port ?? (await freePort());
  const dir = join(base, o.name ?? `berth-registry-${port}`);
  mkdirSync(dir, { recursive: true });
  const root = join(dir, 'root');
  const args = [join(repoRoot, 'dist', 'berth.mjs'), 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', root];
  if (o.config !== undefined) {
    writeFileSync(join(dir, 'config.yml'), o.config);
    args.push('--config', join(dir, 'config.yml'));
  }
  args.push(...(o.args ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(o.env ?? {}) } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const tls = (o.args ?? []).includes('--tls-cert') || /tls:/.test(o.config ?? '');
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`berth registry exited (${child.exitCode}):\n${out}`);
    if (/listening on/.test(out)) break;
    if (i > 300) throw new Error(`berth registry did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    url,
    root,
    dir,
    process: child,
    logs: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json<T = unknown>(): T;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** The first error code of an error answer. */
export function errorCode(a: Answer): string | undefined {
  try {
    return a.json<{ errors: Array<{ code: string }> }>().errors[0].code;
  } catch {
    return undefined;
  }
}
