// Images: import, listing, tags, removal rules, history, inspect — and bad archives leave nothing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { tarAttacks } from '../../fixtures/tar-attacks.ts';
import { busyboxRootfsTar, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let rootfs: string;
before(async () => {
  d = await startDaemon();
  rootfs = busyboxRootfsTar(d.base);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[], input?: string | Buffer) => {
  const r = d.berth(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** Everything under the data root that holds layers, images or temporary files. */
function storageSnapshot(): string {
  const list = (p: string) => {
    try {
      return readdirSync(join(d.dataRoot, p)).sort().join(',');
    } catch {
      return '';
    }
  };
  return [list('overlay2'), list('overlay2/l'), list('image/overlay2/layerdb/sha256'), list('image/overlay2/layerdb/tmp'), list('image/overlay2/imagedb/content/sha256'), list('tmp')].join('|');
}

describe('import', () => {
  it('imports a rootfs tarball from a file, with -c and -m, and it runs', () => {
    const out = ok(['import', '-c', 'CMD ["echo", "imported"]', '-c', 'ENV FOO=bar', '-m', 'my message', rootfs, 'mine:v1']);
    assert.match(out, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(ok(['run', '--rm', 'mine:v1']), 'imported\n');
    assert.equal(ok(['run', '--rm', 'mine:v1', 'sh', '-c', 'echo $FOO']), 'bar\n');
    assert.equal(ok(['image', 'inspect', '-f', '{{.Comment}}', 'mine:v1']), 'my message\n');
  });

  it('imports from stdin, gzip-compressed', () => {
    const out = ok(['import', '-', 'fromstdin'], gzipSync(readFileSync(rootfs)));
    assert.match(out, /^sha256:/);
    assert.equal(ok(['image', 'inspect', '-f', '{{.Comment}}', 'fromstdin']), 'Imported from -\n');
    assert.equal(ok(['run', '--rm', 'fromstdin', 'echo', 'ok']), 'ok\n');
  });

  it('stores one layer for the same content twice', () => {
    const layersBefore = readdirSync(join(d.dataRoot, 'image/overlay2/layerdb/sha256')).length;
    ok(['import', rootfs, 'again:1']);
    assert.equal(readdirSync(join(d.dataRoot, 'image/overlay2/layerdb/sha256')).length, layersBefore);
  });

  it('a corrupt or non-tar import fails clearly and leaves nothing behind', () => {
    const before = storageSnapshot();
    const junk = join(d.base, 'junk.tar');
    writeFileSync(junk, Buffer.from('not a tar archive at all, just text\n'.repeat(100)));
    const r = d.berth(['import', junk, 'junk:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid tar header/);
    const truncated = join(d.base, 'truncated.tar');
    writeFileSync(truncated, readFileSync(rootfs).subarray(0, 100_000));
    const t = d.berth(['import', truncated, 'junk:2']);
    assert.equal(t.code, 1);
    assert.match(t.stderr, /unexpected EOF/);
    const badGzip = join(d.base, 'bad.tgz');
    writeFileSync(badGzip, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(200, 7)]));
    const gz = d.berth(['import', badGzip, 'junk:3']);
    assert.equal(gz.code, 1);
    assert.match(gz.stderr, /^Error response from daemon: gzip: /, 'the error must arrive as a response, not a reset connection');
    assert.equal(storageSnapshot(), before);
    assert.doesNotMatch(ok(['images']), /junk/);
    const badChange = d.berth(['import', '-c', 'RUN echo hi', rootfs, 'junk:4']);
    assert.equal(badChange.code, 1);
    assert.match(badChange.stderr, /run is not a valid change command/);
  });

  it('a malicious archive writes nothing outside its layer', async () => {
    const outside = join(d.base, 'outside');
    for (const attack of tarAttacks) {
      const file = join(d.base, 'attack.tar');
      writeFileSync(file, await attack.build(outside));
      d.berth(['import', file, 'attack:1']);
    }
    assert.deepEqual(readdirSync(d.base).filter((f) => f === 'outside' || f === 'escaped'), []);
  });
});

describe('images, tag, rmi, history, inspect', () => {
  before(() => {
    ok(['import', rootfs, 'base:1']);
  });

  it("lists images with docker's columns and options", () => {
    const table = ok(['images']);
    assert.match(table.split('\n')[0], /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    assert.match(table, /\nbase +1 +[0-9a-f]{12} +(Less than a second|\d+ seconds?) ago +[\d.]+MB\n/);
    assert.ok(ok(['images', '-q']).trim().split('\n').every((l) => /^[0-9a-f]{12}$/.test(l)));
    assert.match(ok(['images', '--no-trunc', '-q', 'base']), /^sha256:[0-9a-f]{64}\n$/);
    assert.match(ok(['images', '--digests']).split('\n')[0], /^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$/);
    assert.equal(ok(['images', '--format', '{{.Repository}}:{{.Tag}}', 'base']), 'base:1\n');
    assert.equal(ok(['images', '--filter', 'reference=bas*', '--format', '{{.Repository}}']), 'base\n');
    // earlier imports that moved a tag left untagged images behind: those, and only those, dangle
    const dangling = ok(['images', '-f', 'dangling=true', '--format', '{{.Repository}}:{{.Tag}}']).trim().split('\n');
    assert.ok(dangling.length > 0 && dangling.every((l) => l === '<none>:<none>'), dangling.join(','));
    assert.equal(ok(['images', '-f', 'dangling=false', '--format', '{{.Repository}}', 'base']), 'base\n');
  });

  it('tag adds a reference; rmi of one of two tags only untags', () => {
    ok(['tag', 'base:1', 'other/name:2']);
    ok(['tag', 'base:1', 'localhost:5000/ns/app']);
    assert.match(ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), /other\/name:2/);
    assert.match(ok(['images']), /localhost:5000\/ns\/app +latest/);
    assert.equal(ok(['rmi', 'other/name:2']), 'Untagged: other/name:2\n');
    assert.equal(ok(['rmi', 'localhost:5000/ns/app']), 'Untagged: localhost:5000/ns/app:latest\n');
    assert.equal(ok(['images', '-q', 'base']).trim().length, 12);
  });

  it('rmi of the last tag deletes the image and its layer', () => {
    ok(['import', '-m', 'unique', rootfs, 'temp:1']);
    const id = ok(['images', '--no-trunc', '-q', 'temp:1']).trim();
    ok(['tag', 'temp:1', 'temp:2']);
    ok(['rmi', 'temp:2']);
    const out = ok(['rmi', 'temp:1']);
    assert.match(out, new RegExp(`^Untagged: temp:1\\nDeleted: ${id}\\n`));
  });

  it('rmi refuses an image a container uses (409), and -f untags it', () => {
    ok(['import', '-m', 'used', rootfs, 'used:1']);
    ok(['create', '--name', 'user-of-used', 'used:1', 'true']);
    const r = d.berth(['rmi', 'used:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error response from daemon: conflict: unable to remove repository reference "used:1" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}/);
    const byId = d.berth(['rmi', ok(['images', '-q', 'used:1']).trim()]);
    assert.equal(byId.code, 1);
    assert.match(byId.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by stopped container [0-9a-f]{12}/);
    ok(['run', '-d', '--name', 'runner-of-used', 'used:1', 'sleep', '300']);
    const running = d.berth(['rmi', '-f', ok(['images', '-q', 'used:1']).trim()]);
    assert.equal(running.code, 1);
    assert.match(running.stderr, /\(cannot be forced\) - image is being used by running container/);
    ok(['rm', '-f', 'runner-of-used']);
    assert.match(ok(['rmi', '-f', 'used:1']), /Untagged: used:1/);
    // the stopped container still runs from its layers
    assert.equal(ok(['start', '-a', 'user-of-used']), '');
  });

  it('rmi of an unknown image → 404 text, exit 1', () => {
    const r = d.berth(['rmi', 'nosuch:9']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: No such image: nosuch:9\n');
  });

  it('history shows the layers, newest first', () => {
    const table = ok(['history', 'base:1']);
    assert.match(table.split('\n')[0], /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    assert.match(table.split('\n')[1], /^[0-9a-f]{12} +.* ago +[\d.]+[kM]B +Imported from -$/);
    assert.equal(ok(['history', '-q', 'base:1']).trim().length, 12);
  });

  it("image inspect has docker's shape", () => {
    const [img] = JSON.parse(ok(['image', 'inspect', 'base:1']));
    for (const k of ['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Container', 'ContainerConfig', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Metadata']) {
      assert.ok(k in img, `missing ${k}`);
    }
    assert.deepEqual(img.RepoTags, ['base:1']);
    assert.equal(img.RootFS.Type, 'layers');
    assert.match(img.RootFS.Layers[0], /^sha256:[0-9a-f]{64}$/);
    assert.equal(img.Architecture, 'amd64');
    assert.ok(img.Size > 1_000_000);
  });

  it('references follow docker’s rules', () => {
    const r = d.berth(['tag', 'base:1', 'UPPER:case']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid reference format: repository name \(library\/UPPER\) must be lowercase|must be lowercase/);
    ok(['tag', 'base:1', 'docker.io/library/full:1']);
    assert.equal(ok(['images', '--format', '{{.Repository}}', 'full']), 'full\n');
  });
});
