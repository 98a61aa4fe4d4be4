// save/load (docker-archive + OCI layout), export/import, commit, image prune and system df
// through the berth CLI and the API, against one real berthd.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  ok(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
});

function ok(args: string[], input?: string | Buffer): string {
  const r = d.berth(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const id = (name: string) => ok(['image', 'inspect', '-f', '{{.Id}}', name]).trim();
const inspect = (name: string, format: string) => ok(['image', 'inspect', '-f', format, name]).trim();

/** Layers, images and temporary files on disk: a failed load must leave this unchanged. */
function storageSnapshot(): string {
  const list = (p: string) => {
    try {
      return readdirSync(join(d.dataRoot, p)).sort().join(',');
    } catch {
      return '';
    }
  };
  return ['overlay2', 'overlay2/l', 'image/overlay2/layerdb/sha256', 'image/overlay2/layerdb/tmp', 'image/overlay2/imagedb/content/sha256', 'tmp'].map(list).join('|');
}

function untar(archive: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('tar', ['-xf', archive, '-C', dir]);
  assert.equal(r.status, 0, String(r.stderr));
}

const sha256File = (p: string) => `sha256:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;

describe('commit', () => {
  it('a new layer from the upper dir, deletions as whiteouts, config from image and container, -a -m -c', () => {
    ok(['run', '--name', 'c1', '-e', 'FROM_RUN=1', '-l', 'runlabel=x', 'busybox', 'sh', '-c', 'echo hi > /hello; rm /bin/vi; rm -rf /home; mkdir /data']);
    const changes = [
      'CMD ["cat", "/hello"]',
      'ENTRYPOINT []',
      'ENV FOO=bar',
      'EXPOSE 8080/tcp',
      'LABEL stage=committed',
      'USER nobody',
      'WORKDIR /data',
      'VOLUME /data',
    ];
    const out = ok(['commit', '-a', 'Jane <jane@example.com>', '-m', 'first commit', ...changes.flatMap((c) => ['-c', c]), 'c1', 'committed:1']);
    assert.match(out, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(ok(['run', '--rm', 'committed:1']), 'hi\n');
    const check = d.berth(['run', '--rm', '--user', 'root', 'committed:1', 'sh', '-c', 'pwd; id -u nobody >/dev/null; echo $FOO $FROM_RUN; ls /bin/vi /home 2>&1; true']);
    assert.match(check.stdout, /^\/data\nbar 1\n.*\/bin\/vi: No such file or directory\n.*\/home: No such file or directory\n$/s);
    assert.equal(inspect('committed:1', '{{.Author}}|{{.Comment}}|{{.Config.User}}|{{.Config.WorkingDir}}'), 'Jane <jane@example.com>|first commit|nobody|/data');
    assert.equal(inspect('committed:1', '{{json .Config.ExposedPorts}} {{json .Config.Volumes}}'), '{"8080/tcp":{}} {"/data":{}}');
    assert.equal(inspect('committed:1', '{{json .Config.Labels}}'), '{"runlabel":"x","stage":"committed"}');
    const cid = ok(['inspect', '-f', '{{.Id}}', 'c1']).trim();
    assert.equal(inspect('committed:1', '{{.Container}} {{index .ContainerConfig.Cmd 2}}'), `${cid} echo hi > /hello; rm /bin/vi; rm -rf /home; mkdir /data`);
    assert.equal(inspect('committed:1', '{{len .RootFS.Layers}} {{.Parent}}'), `2 ${id('busybox')}`);
    assert.match(ok(['history', 'committed:1']).split('\n')[1], /sh -c echo hi > \/hello.*first commit/);
    // the layer holds only what changed, deletions as .wh. entries
    const archive = join(d.base, 'committed.tar');
    ok(['save', '-o', archive, 'committed:1']);
    const dir = join(d.base, 'committed');
    untar(archive, dir);
    const top = inspect('committed:1', '{{index .RootFS.Layers 1}}').replace('sha256:', '');
    const listing = spawnSync('tar', ['-tf', join(dir, 'blobs/sha256', top)], { encoding: 'utf8' }).stdout.split('\n').sort();
    assert.ok(listing.includes('bin/.wh.vi'), listing.join(' '));
    assert.ok(listing.includes('.wh.home'), listing.join(' '));
    assert.ok(listing.includes('hello'), listing.join(' '));
    assert.ok(!listing.some((n) => n.startsWith('bin/busybox')), 'unchanged files stay out of the layer');
  });

  it('commits a running container, pausing it by default (and not with --pause=false); nothing changed is an empty layer', () => {
    ok(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'echo x > /x; sleep 600']);
    ok(['commit', 'busy', 'busy:paused']);
    assert.equal(ok(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'busy']), 'running false\n');
    ok(['commit', '--pause=false', 'busy', 'busy:live']);
    assert.equal(ok(['run', '--rm', 'busy:live', 'cat', '/x']), 'x\n');
    ok(['rm', '-f', 'busy']);
    ok(['create', '--name', 'untouched', 'busybox']);
    ok(['commit', 'untouched', 'same:1']);
    assert.equal(inspect('same:1', '{{len .RootFS.Layers}}'), '1');
    assert.equal(ok(['history', '--format', '{{.Size}}', 'same:1']).split('\n')[0], '0B');
    const missing = d.berth(['commit', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: No such container: nosuch\n');
    ok(['rm', 'untouched']);
  });
});

describe('save and load', () => {
  it('writes the docker-archive and the OCI layout, every blob named by its digest', () => {
    const archive = join(d.base, 'two.tar');
    ok(['save', '-o', archive, 'busybox', 'committed:1']);
    const dir = join(d.base, 'two');
    untar(archive, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    assert.deepEqual(manifest.map((m) => m.RepoTags), [['busybox:latest'], ['committed:1']]);
    for (const m of manifest) {
      const config = JSON.parse(readFileSync(join(dir, m.Config), 'utf8')) as { rootfs: { diff_ids: string[] } };
      assert.equal(`sha256:${m.Config.split('/').pop()}`, sha256File(join(dir, m.Config)));
      // layers are the exact tars whose digests the config names
      assert.deepEqual(m.Layers.map((l) => sha256File(join(dir, l))), config.rootfs.diff_ids);
    }
    assert.equal(readFileSync(join(dir, 'oci-layout'), 'utf8'), '{"imageLayoutVersion": "1.0.0"}');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; size: number; annotations: Record<string, string> }> };
    assert.deepEqual(index.manifests.map((m) => m.annotations['io.containerd.image.name']).sort(), ['docker.io/library/busybox:latest', 'docker.io/library/committed:1']);
    for (const desc of index.manifests) {
      const path = join(dir, 'blobs/sha256', desc.digest.replace('sha256:', ''));
      assert.equal(sha256File(path), desc.digest);
      const m = JSON.parse(readFileSync(path, 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string; size: number; mediaType: string }> };
      for (const l of [m.config, ...m.layers]) assert.equal(sha256File(join(dir, 'blobs/sha256', l.digest.replace('sha256:', ''))), l.digest);
    }
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(join(dir, 'repositories'), 'utf8')) as object).sort(), ['busybox', 'committed']);
    // a repository name without a tag saves all its tags
    const all = join(d.base, 'all.tar');
    ok(['save', '-o', all, 'busy']);
    const m2 = JSON.parse(spawnSync('tar', ['-xOf', all, 'manifest.json'], { encoding: 'utf8' }).stdout) as Array<{ RepoTags: string[] }>;
    assert.deepEqual(m2.flatMap((m) => m.RepoTags).sort(), ['busy:live', 'busy:paused']);
  });

  it('loads back what it saved, from a file and from stdin; untagged images are <none>', () => {
    const archive = join(d.base, 'two.tar');
    const before = { busybox: id('busybox'), committed: id('committed:1') };
    ok(['rm', 'c1']);
    ok(['rmi', 'committed:1']);
    assert.equal(ok(['load', '-i', archive]), 'Loaded image: busybox:latest\nLoaded image: committed:1\n');
    assert.deepEqual({ busybox: id('busybox'), committed: id('committed:1') }, before);
    assert.equal(ok(['run', '--rm', 'committed:1']), 'hi\n');
    // by id: no tags in the archive
    const byId = join(d.base, 'byid.tar');
    ok(['save', '-o', byId, before.committed.slice(7, 19)]);
    ok(['rmi', 'committed:1']);
    assert.equal(ok(['load', '-q'], readFileSync(byId)), `Loaded image ID: ${before.committed}\n`);
    assert.match(ok(['images']), new RegExp(`<none> +<none> +${before.committed.slice(7, 19)} `));
    ok(['tag', before.committed.slice(7, 19), 'committed:again']);
    assert.equal(ok(['run', '--rm', 'committed:again']), 'hi\n');
    // a tag that moves says so, as dockerd does
    ok(['tag', 'busybox', 'committed:1']);
    assert.match(ok(['load', '-i', archive]), new RegExp(`The image committed:1 already exists, renaming the old one with ID ${before.busybox} to empty string\n`));
    assert.equal(id('committed:1'), before.committed);
    // to stdout (the same bytes as with -o: entries carry fixed times)
    const piped = spawnSync('bash', ['-c', 'node dist/berth.mjs save busybox | sha256sum'], { cwd: repoRoot, env: { ...process.env, BERTH_HOST: d.host }, encoding: 'utf8' });
    const file = join(d.base, 'bb.tar');
    ok(['save', '-o', file, 'busybox']);
    assert.equal(`sha256:${piped.stdout.split(' ')[0]}`, sha256File(file));
  });

  it('a corrupt, truncated or incomplete archive loads nothing and leaves nothing behind', () => {
    const good = join(d.base, 'two.tar');
    const dir = join(d.base, 'two');
    ok(['rmi', '-f', 'committed:1', 'committed:again']);
    ok(['rmi', 'busybox']);
    const snapshot = storageSnapshot();
    const listing = ['images', '-a', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'];
    const imagesBefore = ok(listing);
    const failLoad = (bytes: Buffer, pattern: RegExp) => {
      const r = d.berth(['load'], { input: bytes });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, pattern);
      assert.equal(ok(listing), imagesBefore);
      assert.equal(storageSnapshot(), snapshot);
    };
    const whole = readFileSync(good);
    failLoad(whole.subarray(0, Math.floor(whole.length * 0.6)), /unexpected EOF|not found/);
    failLoad(Buffer.from('definitely not a tar archive, just some text'.repeat(40)), /invalid tar header|manifest/);
    // one byte changed inside the second image's layer: the first image's layers must go too
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
    const victim = join(dir, manifest[1].Layers[1]);
    const original = readFileSync(victim);
    const flipped = Buffer.from(original);
    flipped[600] ^= 0x20;
    writeFileSync(victim, flipped);
    const repack = (name: string) => {
      const out = join(d.base, name);
      assert.equal(spawnSync('tar', ['-cf', out, '-C', dir, '.']).status, 0);
      return readFileSync(out);
    };
    failLoad(repack('flipped.tar'), /digest mismatch|invalid/);
    writeFileSync(victim, original);
    // a manifest naming a layer that is not there
    const m = readFileSync(join(dir, 'manifest.json'), 'utf8');
    writeFileSync(join(dir, 'manifest.json'), m.replace(manifest[1].Layers[1], 'blobs/sha256/0000'));
    failLoad(repack('missing.tar'), /layer blobs\/sha256\/0000 not found/);
    writeFileSync(join(dir, 'manifest.json'), m);
    assert.match(ok(['load', '-i', good]), /Loaded image: committed:1/);
  });
});

describe('save without a tar-split record', () => {
  it('packs the layer directory anew (without hanging) and names the blob by what it wrote', () => {
    ok(['create', '--name', 'fb', 'busybox']);
    const file = join(d.base, 'fb-export.tar');
    ok(['export', '-o', file, 'fb']);
    ok(['rm', 'fb']);
    ok(['import', file, 'fallback:1']);
    const diffId = inspect('fallback:1', '{{index .RootFS.Layers 0}}');
    rmSync(join(d.dataRoot, 'image/overlay2/layerdb/sha256', diffId.replace('sha256:', ''), 'tar-split.json.gz'));
    const archive = join(d.base, 'fb.tar');
    ok(['save', '-o', archive, 'fallback:1']);
    const dir = join(d.base, 'fb');
    untar(archive, dir);
    const [m] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>;
    const blob = join(dir, m.Layers[0]);
    assert.equal(sha256File(blob), `sha256:${m.Layers[0].split('/').pop()}`);
    // (here even the same bytes: the exported tar came from the same deterministic packer)
    assert.equal(sha256File(blob), diffId);
    assert.ok(spawnSync('tar', ['-tf', blob], { encoding: 'utf8' }).stdout.split('\n').includes('bin/busybox'));
    ok(['rmi', 'fallback:1']);
  });
});

describe('export and import', () => {
  it('exports the flattened file system, to stdout or -o, and imports it as a runnable image', () => {
    ok(['run', '--name', 'ex', '--user', 'root', 'committed:1', 'sh', '-c', 'echo more >> /hello; rm /etc/group']);
    const file = join(d.base, 'ex.tar');
    ok(['export', '-o', file, 'ex']);
    const names = spawnSync('tar', ['-tf', file], { encoding: 'utf8' }).stdout.split('\n');
    assert.ok(names.includes('hello') && names.includes('bin/busybox') && names.includes('.dockerenv'));
    assert.ok(!names.includes('etc/group') && !names.some((n) => n.includes('.wh.')));
    const viaStdout = spawnSync('bash', ['-c', 'set -o pipefail; node dist/berth.mjs export ex | tar -t | sort'], { cwd: repoRoot, env: { ...process.env, BERTH_HOST: d.host }, encoding: 'utf8' });
    assert.equal(viaStdout.status, 0, viaStdout.stderr);
    assert.deepEqual(viaStdout.stdout.split('\n').filter(Boolean), names.filter(Boolean).sort());
    assert.match(ok(['import', '-c', 'CMD ["cat", "/hello"]', '-m', 'from export', file, 'reimported:1']), /^sha256:/);
    assert.equal(ok(['run', '--rm', 'reimported:1']), 'hi\nmore\n');
    assert.equal(inspect('reimported:1', '{{len .RootFS.Layers}} {{.Comment}}'), '1 from export');
    const missing = d.berth(['export', 'nosuch']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: nosuch/);
    ok(['rm', '-v', 'ex']);
  });
});

describe('image prune and system df', () => {
  it('system df counts images, containers, volumes and build cache; -v lists them', () => {
    ok(['create', '--name', 'holder', 'reimported:1']);
    const df = ok(['system', 'df']);
    assert.match(df, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\n/);
    assert.match(df, /\nImages +\d+ +1 +[\d.]+[kM]?B +[\d.]+[kM]?B \(\d+%\)\n/);
    assert.match(df, /\nContainers +1 +0 +\d+B +\d+B\n/);
    assert.match(df, /\nLocal Volumes +0 +0 +0B +0B\nBuild Cache +0 +0 +0B +0B\n$/);
    const v = ok(['system', 'df', '-v']);
    assert.match(v, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
    assert.match(v, /\nreimported +1 +[0-9a-f]{12} .* 1\n/);
    assert.match(v, /\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n[0-9a-f]{12} +reimported:1 .* holder\n/);
    assert.match(v, /\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\n/);
    assert.match(v, /\nBuild cache usage: 0B\n\nCACHE ID +CACHE TYPE +SIZE +CREATED +LAST USED +USAGE +SHARED\n$/);
  });

  it('prunes dangling images, then with -a every unused one; filters narrow it; used images stay', async () => {
    // a dangling image: a commit without a name
    ok(['run', '--name', 'dang', 'busybox', 'touch', '/d']);
    const dangling = ok(['commit', 'dang']).trim();
    ok(['rm', 'dang']);
    ok(['commit', '-c', 'LABEL keep=yes', 'holder', 'labelled:1']);
    assert.equal(d.berth(['image', 'prune'], { input: 'n\n' }).stdout, 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] Total reclaimed space: 0B\n');
    const out = ok(['image', 'prune', '-f']);
    assert.match(out, new RegExp(`^Deleted Images:\ndeleted: ${dangling}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: \\d+B\n$`));
    assert.equal(ok(['image', 'prune', '-f']), 'Total reclaimed space: 0B\n');
    // label and until filters
    assert.equal(ok(['image', 'prune', '-a', '-f', '--filter', 'label=nosuch']), 'Total reclaimed space: 0B\n');
    assert.equal(ok(['image', 'prune', '-a', '-f', '--filter', 'until=2000-01-01T00:00:00Z']), 'Total reclaimed space: 0B\n');
    const labelled = ok(['image', 'prune', '-a', '-f', '--filter', 'label=keep=yes']);
    assert.match(labelled, /^Deleted Images:\nuntagged: labelled:1\ndeleted: sha256:/);
    const res = await d.api('POST', `/images/prune?filters=${encodeURIComponent('{"dangling":["false"]}')}`);
    assert.equal(res.status, 200);
    const report = JSON.parse(res.body) as { ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }>; SpaceReclaimed: number };
    assert.ok(report.SpaceReclaimed > 0);
    assert.ok(report.ImagesDeleted.some((x) => x.Untagged === 'busy:live'));
    // only reimported:1, which the container "holder" uses, stays
    assert.equal(ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'reimported:1\n');
    const bad = await d.api('POST', `/images/prune?filters=${encodeURIComponent('{"nosuch":["x"]}')}`);
    assert.equal(bad.status, 400);
  });

  it('GET /system/df has dockerd’s shape', async () => {
    const res = await d.api('GET', '/system/df');
    assert.equal(res.status, 200);
    const du = JSON.parse(res.body) as Record<string, unknown> & { Images: Array<Record<string, unknown>>; Containers: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(du).sort(), ['BuildCache', 'Containers', 'Images', 'LayersSize', 'Volumes']);
    assert.equal(du.Images[0].Containers, 1);
    assert.equal(typeof du.Images[0].SharedSize, 'number');
    assert.equal(typeof du.Containers[0].SizeRw, 'number');
    const onlyImages = JSON.parse((await d.api('GET', '/system/df?type=image')).body) as object;
    assert.deepEqual(Object.keys(onlyImages).sort(), ['Images', 'LayersSize']);
  });
});
