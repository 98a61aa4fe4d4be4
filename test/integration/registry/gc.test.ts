// `berth registry garbage-collect` and `berth registry du` on a live registry's root: what is
// collected (deleted images, untagged manifests with --delete-untagged), what --dry-run leaves,
// and pushes racing collections, which must never end with a manifest whose blobs are gone.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../helpers/daemon.ts';
import { gzipLayer, imageConfig, manifestOf, tarOf } from '../distribution/registry-helpers.ts';
import { errorCode, request, sha256, startBerthRegistry, type BerthRegistry } from './helpers.ts';

const dockerManifest = 'application/vnd.docker.distribution.manifest.v2+json';
let base: string;
let reg: BerthRegistry;

function berth(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
function berthAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (x: Buffer) => (stdout += x.toString()));
    p.stderr.on('data', (x: Buffer) => (stderr += x.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function upload(repo: string, blob: Buffer): Promise<boolean> {
  const start = await request(`${reg.url}/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
  return start.status === 201;
}

/** Pushes a one-layer image; returns its digest and blobs, and whether the manifest PUT succeeded. */
async function push(repo: string, tag: string, content: string) {
  const layer = gzipLayer(tarOf({ 'f.txt': content }));
  const config = imageConfig([layer], { cmd: [content] });
  await upload(repo, layer.blob);
  await upload(repo, config);
  const manifest = manifestOf(config, [layer]);
  const put = await request(`${reg.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': dockerManifest } });
  return { ok: put.status === 201, status: put.status, digest: sha256(manifest), blobs: [sha256(layer.blob), sha256(config)] };
}

async function intact(repo: string, digest: string, blobs: string[]): Promise<string | undefined> {
  const m = await request(`${reg.url}/v2/${repo}/manifests/${digest}`);
  if (m.status !== 200) return `manifest ${digest}: ${m.status}`;
  for (const b of blobs) {
    const r = await fetch(`${reg.url}/v2/${repo}/blobs/${b}`);
    const body = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200 || sha256(body) !== b) return `blob ${b}: ${r.status}`;
  }
  return undefined;
}

before(async () => {
  base = mkdtempSync('/tmp/berth-it-registry-gc-');
  reg = await startBerthRegistry(base, { config: 'storage:\n  delete:\n    enabled: true\n' });
});
after(async () => {
  await reg?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('garbage collection', () => {
  it('collects the blobs of a deleted image; --dry-run only reports them', async () => {
    const keep = await push('gc/keep', '1', 'kept image');
    const gone = await push('gc/gone', '1', 'deleted image');
    assert.ok(keep.ok && gone.ok);
    assert.equal((await request(`${reg.url}/v2/gc/gone/manifests/${gone.digest}`, { method: 'DELETE' })).status, 202);
    const dry = berth(['registry', 'garbage-collect', '--dry-run', '--grace', '0s', '--root', reg.root]);
    for (const b of [gone.digest, ...gone.blobs]) assert.match(dry, new RegExp(`blob eligible for deletion: ${b}`));
    assert.doesNotMatch(dry, new RegExp(keep.blobs[0]));
    assert.match(dry, /3 blobs and 0 manifests eligible for deletion/);
    // nothing was deleted: the layer is still there through the repository's link
    assert.equal((await request(`${reg.url}/v2/gc/gone/blobs/${gone.blobs[0]}`, { method: 'HEAD' })).status, 200);
    const real = berth(['registry', 'garbage-collect', '--grace', '0s', '--root', reg.root]);
    assert.match(real, /3 blobs and 0 manifests deleted/);
    assert.equal(errorCode(await request(`${reg.url}/v2/gc/gone/blobs/${gone.blobs[0]}`)), 'BLOB_UNKNOWN');
    assert.equal(await intact('gc/keep', keep.digest, keep.blobs), undefined);
    // a second run finds nothing more
    assert.match(berth(['registry', 'garbage-collect', '--grace', '0s', '--root', reg.root]), /0 blobs and 0 manifests deleted/);
  });

  it('keeps recent blobs within the grace period (an upload whose manifest has not come yet)', async () => {
    const pending = Buffer.from('uploaded, manifest still to come');
    await upload('gc/pending', pending);
    assert.match(berth(['registry', 'garbage-collect', '--root', reg.root]), /0 blobs and 0 manifests deleted/);
    assert.equal((await request(`${reg.url}/v2/gc/pending/blobs/${sha256(pending)}`, { method: 'HEAD' })).status, 200);
  });

  it('--delete-untagged removes manifests no tag reaches, and their blobs', async () => {
    const first = await push('gc/retag', 'latest', 'first build');
    const second = await push('gc/retag', 'latest', 'second build');
    const out = berth(['registry', 'garbage-collect', '--delete-untagged', '--grace', '0s', '--root', reg.root]);
    assert.match(out, new RegExp(`manifest deleted: gc/retag@${first.digest}`));
    assert.equal(errorCode(await request(`${reg.url}/v2/gc/retag/manifests/${first.digest}`)), 'MANIFEST_UNKNOWN');
    assert.equal(errorCode(await request(`${reg.url}/v2/gc/retag/blobs/${first.blobs[0]}`)), 'BLOB_UNKNOWN');
    assert.equal(await intact('gc/retag', second.digest, second.blobs), undefined);
  });

  it('never leaves a successfully pushed manifest without its blobs while pushes race collections', async () => {
    const pushed: Array<{ repo: string; digest: string; blobs: string[] }> = [];
    let failed = 0;
    let pushing = true;
    const pusher = (async () => {
      for (let i = 0; pushing && i < 200; i++) {
        const repo = `race/r${i % 3}`;
        const r = await push(repo, 'latest', `race image ${i}`);
        if (r.ok) pushed.push({ repo, digest: r.digest, blobs: r.blobs });
        else failed++;
      }
    })();
    for (let round = 0; round < 6; round++) {
      const gc = await berthAsync(['registry', 'garbage-collect', '--delete-untagged', '--grace', '0s', '--root', reg.root]);
      assert.equal(gc.code, 0, gc.stderr);
    }
    pushing = false;
    await pusher;
    assert.ok(pushed.length > 0);
    // every tag still reaches a whole image
    for (const repo of ['race/r0', 'race/r1', 'race/r2']) {
      const m = await request(`${reg.url}/v2/${repo}/manifests/latest`);
      if (m.status === 404) continue;
      const digest = m.headers.get('docker-content-digest')!;
      const entry = pushed.find((p) => p.digest === digest);
      assert.ok(entry, `${repo}:latest points at ${digest}, which no successful push wrote`);
      assert.equal(await intact(repo, digest, entry.blobs), undefined);
    }
    // and the last successful push of each repository is whole
    for (const repo of ['race/r0', 'race/r1', 'race/r2']) {
      const last = pushed.filter((p) => p.repo === repo).pop();
      if (last) assert.equal(await intact(repo, last.digest, last.blobs), undefined, `${repo}: ${failed} pushes failed`);
    }
  });
});

describe('storage usage', () => {
  it('shows tags, manifests, blobs and sizes per repository', async () => {
    const out = berth(['registry', 'du', '--root', reg.root]);
    assert.match(out, /^REPOSITORY\s+TAGS\s+MANIFESTS\s+BLOBS\s+SIZE\s+SHARED$/m);
    assert.match(out, /^gc\/keep\s+1\s+1\s+3\s+\d+B\s+0B$/m);
    assert.match(out, /^Total: \d+ blobs, \S+ on disk$/m);
    const json = JSON.parse(berth(['registry', 'du', '--root', reg.root, '--format', 'json', 'gc/keep'])) as { repositories: Array<{ name: string; tags: number }> };
    assert.deepEqual(json.repositories.map((r) => [r.name, r.tags]), [['gc/keep', 1]]);
  });
});
