// Equivalence with dockerd: every Dockerfile of cases.ts is built from the same context by the
// docker CLI (classic builder) on a reference dockerd 20.10 and on berthd, and the results are
// compared: the image configs (Cmd, Entrypoint, Env, WorkingDir, User, ExposedPorts, Volumes,
// Labels, Healthcheck, StopSignal, Shell, OnBuild), the number of layers, and the exported file
// trees (path, type, mode, uid, gid, size, link target, content hash). A difference fails the
// test unless the case says dockerd is the one that is wrong; the summary says how many matched.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { readTar } from '../../../src/archive/index.ts';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { dockerBin, dockerEnv } from '../../helpers/docker-cli.ts';
import { startReferenceDockerd, type ReferenceDockerd } from '../../helpers/reference-dockerd.ts';
import { cases, type BuildCase, type CaseFile } from './cases.ts';

let berthd: TestDaemon;
let ref: ReferenceDockerd;
let server: ChildProcess;
let url = '';
let work: string;
const serverScript = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  if (req.url === '/files/remote.txt') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
    res.end('remote content\\n');
  } else res.writeHead(404).end();
});
s.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + s.address().port));
`;
const summary: Array<{ name: string; identical: boolean; dockerdBugs: string[] }> = [];

const compared = ['Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'Healthcheck', 'StopSignal', 'Shell', 'OnBuild'] as const;
/** What docker export adds for any container (the init layer), not the image's own. */
const initPaths = new Set(['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'etc/mtab', 'dev', 'dev/console', 'dev/pts', 'dev/shm', 'proc', 'sys', 'etc']);

type Docker = (args: string[], o?: { cwd?: string; input?: string }) => { code: number; stdout: string; stderr: string };

function writeFiles(dir: string, files: Record<string, CaseFile>): void {
  const entries = Object.entries(files).sort(([a], [b]) => a.split('/').length - b.split('/').length);
  for (const [name, f] of entries) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof f === 'string') writeFileSync(path, f);
    else if ('data' in f) writeFileSync(path, f.data);
    else if ('symlink' in f) symlinkSync(f.symlink, path);
    else if ('hardlink' in f) linkSync(join(dir, f.hardlink), path);
    else if ('dir' in f) mkdirSync(path, { recursive: true });
  }
  // modes last: a 0700 directory is made before its files, and chmod'ed after
  for (const [name, f] of entries.reverse()) {
    if (typeof f === 'object' && ('data' in f || 'dir' in f)) {
      if (f.mode !== undefined) chmodSync(join(dir, name), f.mode);
    }
  }
}

function context(c: { dockerfile: string; files?: Record<string, CaseFile>; setup?: string }, name: string): string {
  const dir = join(work, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, c.files ?? {});
  writeFileSync(join(dir, 'Dockerfile'), c.dockerfile.replaceAll('{{URL}}', url));
  if (c.setup) {
    const r = spawnSync('sh', ['-c', c.setup], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  return dir;
}

function build(docker: Docker, dir: string, c: BuildCase, tag: string): string {
  const args = ['build', '-q', '-t', tag, ...(c.args ?? []).flatMap((a) => ['--build-arg', a]), ...(c.target ? ['--target', c.target] : []), '.'];
  const r = docker(args, { cwd: dir });
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

interface TreeEntry {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size: number;
  link: string;
  hash: string;
}

async function exportedTree(docker: Docker, image: string): Promise<Map<string, TreeEntry>> {
  const created = docker(['create', image, 'none']);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  try {
    const r = spawnSync(dockerBin, ['export', id], { env: docker === berthDocker ? dockerEnv(berthd, { DOCKER_BUILDKIT: '0' }) : { ...ref.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr?.toString());
    const out = new Map<string, TreeEntry>();
    for await (const e of readTar(Readable.from([r.stdout]))) {
      const h = e.header;
      const path = h.name.replace(/^\.?\//, '').replace(/\/$/, '');
      const hash = createHash('sha256');
      for await (const c of e.body) hash.update(c as Buffer);
      if (initPaths.has(path)) continue;
      out.set(path, { type: h.type, mode: (h.mode & 0o7777).toString(8), uid: h.uid, gid: h.gid, size: h.type === 'file' ? h.size : 0, link: h.linkname, hash: h.type === 'file' ? hash.digest('hex').slice(0, 16) : '' });
    }
    return out;
  } finally {
    docker(['rm', id]);
  }
}

const berthDocker: Docker = (args, o = {}) => {
  const r = spawnSync(dockerBin, args, { env: dockerEnv(berthd, { DOCKER_BUILDKIT: '0' }), cwd: o.cwd, input: o.input ?? '', encoding: 'utf8', timeout: 300_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const refDocker: Docker = (args, o = {}) => ref.docker(args, { ...o, env: { DOCKER_BUILDKIT: '0' } });

function inspectConfig(docker: Docker, image: string): { config: Record<string, unknown>; layers: number } {
  const r = docker(['image', 'inspect', image]);
  assert.equal(r.code, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as Array<{ Config: Record<string, unknown>; RootFS: { Layers?: string[] } }>;
  return { config: info.Config, layers: info.RootFS.Layers?.length ?? 0 };
}

/** Empty is empty however written; maps compare with their keys sorted. */
const norm = (v: unknown): unknown => {
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)) return null;
  if (typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return v;
};

before(async () => {
  work = mkdtempSync('/tmp/berth-eq-');
  berthd = await startDaemon();
  const pulled = berthd.berth(['pull', 'busybox']);
  assert.equal(pulled.code, 0, pulled.stderr);
  const tar = join(work, 'busybox.tar');
  berthd.berthOk(['save', '-o', tar, 'busybox']);
  ref = await startReferenceDockerd({ busyboxTar: tar });
  // In a process of its own: the builds below run with spawnSync, which blocks this one.
  server = spawn(process.execPath, ['-e', serverScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    server.once('exit', () => reject(new Error('the file server exited')));
  });
});

after(async () => {
  server?.kill();
  await ref?.stop();
  await berthd?.cleanup();
  if (summary.length) {
    const identical = summary.filter((s) => s.identical).length;
    const lines = [`equivalence with dockerd 20.10: ${summary.length} Dockerfiles, ${identical} identical`];
    for (const s of summary) for (const b of s.dockerdBugs) lines.push(`  ${s.name}: differs where dockerd is wrong — ${b}`);
    console.log(lines.join('\n'));
  }
  rmSync(work, { recursive: true, force: true });
});

// BERTH_EQ_CASES=<regexp> narrows the run to some cases while working on them.
const only = process.env.BERTH_EQ_CASES ? new RegExp(process.env.BERTH_EQ_CASES, 'i') : undefined;

describe('builds equal to dockerd 20.10 classic builds', () => {
  for (const c of cases.filter((x) => !only || only.test(x.name))) {
    it(c.name, async () => {
      const dir = context(c, c.name);
      if (c.parent) {
        const pdir = context(c.parent, `${c.name}-parent`);
        build(refDocker, pdir, { name: 'parent', dockerfile: c.parent.dockerfile }, c.parent.tag);
        build(berthDocker, pdir, { name: 'parent', dockerfile: c.parent.dockerfile }, c.parent.tag);
      }
      const tag = `berth-eq-${summary.length}:latest`;
      const refId = build(refDocker, dir, c, tag);
      const berthId = build(berthDocker, dir, c, tag);
      const differences: Record<string, string> = {};
      const a = inspectConfig(refDocker, refId);
      const b = inspectConfig(berthDocker, berthId);
      for (const f of compared) {
        const x = JSON.stringify(norm(a.config[f]));
        const y = JSON.stringify(norm(b.config[f]));
        if (x !== y) differences[f] = `dockerd ${x}, berthd ${y}`;
      }
      if (a.layers !== b.layers) differences.layers = `dockerd ${a.layers}, berthd ${b.layers}`;
      const ta = await exportedTree(refDocker, refId);
      const tb = await exportedTree(berthDocker, berthId);
      for (const p of [...new Set([...ta.keys(), ...tb.keys()])].sort()) {
        const x = JSON.stringify(ta.get(p) ?? null);
        const y = JSON.stringify(tb.get(p) ?? null);
        if (x !== y) differences[`file /${p}`] = `dockerd ${x}, berthd ${y}`;
      }
      const bugs: string[] = [];
      for (const [field, why] of Object.entries(c.dockerdBug ?? {})) {
        if (differences[field]) {
          bugs.push(`${field} (${differences[field]}): ${why}`);
          delete differences[field];
        }
      }
      summary.push({ name: c.name, identical: Object.keys(differences).length === 0 && bugs.length === 0, dockerdBugs: bugs });
      assert.deepEqual(differences, {}, `differences from dockerd:\n  ${Object.entries(differences).map(([k, v]) => `${k}: ${v}`).join('\n  ')}`);
    });
  }
});
