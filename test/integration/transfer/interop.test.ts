// save/load against a real dockerd 20.10: what berth saves loads into dockerd and runs, and what
// dockerd saves (its own layout: <v1 id>/layer.tar, shared layers as symlinks) loads into berth
// and runs — tagged, untagged (<none>), with whiteouts, and with the same image ids both ways.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { dockerdPath, startRefDockerd, type RefDockerd } from './ref-dockerd.ts';

const skip = existsSync(dockerdPath) ? false : `${dockerdPath} is missing (make deps installs docker.io)`;
let d: TestDaemon;
let ref: RefDockerd;

before(async () => {
  if (skip) return;
  [d, ref] = await Promise.all([startDaemon(), startRefDockerd()]);
});
after(async () => {
  await Promise.allSettled([d?.cleanup(), ref?.stop()]);
});

const berth = (args: string[], input?: Buffer) => {
  const r = d.berth(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const docker = (args: string[]) => {
  const r = ref.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const imageId = (run: (a: string[]) => string, name: string) => run(['image', 'inspect', '-f', '{{.Id}}', name]).trim();

describe('save/load with a reference dockerd 20.10', { skip }, () => {
  it('what berth saves loads into dockerd and runs: tags, layers with deletions, config', () => {
    berth(['pull', 'busybox']);
    berth(['run', '--name', 'src', 'busybox', 'sh', '-c', 'echo from-berth > /msg; rm /bin/vi; rm -rf /var/spool; mkdir -p /opt/x && echo y > /opt/x/y']);
    berth(['commit', '-c', 'CMD ["cat", "/msg"]', '-c', 'ENV STAGE=berth', '-c', 'WORKDIR /opt/x', 'src', 'fromberth:1']);
    const out = join(d.base, 'berth-save.tar');
    berth(['save', '-o', out, 'busybox', 'fromberth:1']);
    const loaded = docker(['load', '-i', out]);
    assert.match(loaded, /Loaded image: busybox:latest/);
    assert.match(loaded, /Loaded image: fromberth:1/);
    // the same bytes, so the same ids on both sides
    assert.equal(imageId(docker, 'fromberth:1'), imageId(berth, 'fromberth:1'));
    assert.equal(imageId(docker, 'busybox'), imageId(berth, 'busybox'));
    assert.equal(docker(['run', '--rm', '--network', 'none', 'fromberth:1']), 'from-berth\n');
    const check = ref.docker(['run', '--rm', '--network', 'none', 'fromberth:1', 'sh', '-c', 'pwd; echo $STAGE; cat y; ls /bin/vi /var/spool 2>&1; true']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^\/opt\/x\nberth\ny\n/);
    assert.match(check.stdout, /\/bin\/vi: No such file or directory/);
    assert.match(check.stdout, /\/var\/spool: No such file or directory/);
    // and dockerd's own save of it has the same layer digests
    assert.deepEqual(
      docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'fromberth:1']),
      berth(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'fromberth:1']),
    );
  });

  it('what dockerd saves loads into berth and runs; untagged shows <none> and can be tagged', () => {
    docker(['run', '--network', 'none', '--name', 'rc', 'busybox', 'sh', '-c', 'echo from-docker > /msg; rm /bin/vi /etc/group; mkfifo /fifo; ln -s /msg /link']);
    docker(['commit', '-a', 'ref author', '-m', 'ref commit', '-c', 'CMD ["cat", "/link"]', 'rc', 'fromdocker:1']);
    const id = imageId(docker, 'fromdocker:1');
    const tagged = join(d.base, 'docker-tagged.tar');
    const untagged = join(d.base, 'docker-untagged.tar');
    docker(['save', '-o', tagged, 'fromdocker:1', 'busybox']);
    docker(['save', '-o', untagged, id]);
    // dockerd 20.10's layout: legacy layer directories, a shared layer as a symlink
    const manifest = JSON.parse(spawnSync('tar', ['-xOf', tagged, 'manifest.json'], { encoding: 'utf8' }).stdout) as Array<{ Layers: string[] }>;
    assert.match(manifest[0].Layers[0], /^[0-9a-f]{64}\/layer\.tar$/);

    berth(['rmi', 'fromberth:1']);
    berth(['rm', 'src']);
    berth(['rmi', 'busybox']);
    const out = berth(['load', '-i', tagged]);
    assert.match(out, /Loaded image: fromdocker:1\n/);
    assert.equal(imageId(berth, 'fromdocker:1'), id);
    assert.equal(berth(['run', '--rm', 'fromdocker:1']), 'from-docker\n');
    const check = d.berth(['run', '--rm', 'fromdocker:1', 'sh', '-c', 'ls /bin/vi /etc/group 2>&1; test -p /fifo && echo fifo']);
    assert.match(check.stdout, /\/bin\/vi: No such file or directory\n.*\/etc\/group: No such file or directory\nfifo\n/s);
    assert.equal(berth(['image', 'inspect', '-f', '{{.Author}}|{{.Comment}}', 'fromdocker:1']), docker(['image', 'inspect', '-f', '{{.Author}}|{{.Comment}}', 'fromdocker:1']));
    assert.match(berth(['history', 'fromdocker:1']), /ref commit/);

    berth(['rmi', 'fromdocker:1']);
    const quiet = berth(['load', '-q', '-i', untagged]);
    assert.equal(quiet, `Loaded image ID: ${id}\n`);
    assert.match(berth(['images']), new RegExp(`<none> +<none> +${id.slice(7, 19)} `));
    berth(['tag', id.slice(7, 19), 'named:now']);
    assert.equal(berth(['run', '--rm', 'named:now']), 'from-docker\n');
  });

  it('a berth save of an image dockerd made is byte-identical in its layers, and loads back into dockerd', () => {
    const out = join(d.base, 'again.tar');
    berth(['save', '-o', out, 'named:now']);
    docker(['rmi', '-f', 'fromdocker:1']);
    docker(['container', 'prune', '-f']);
    docker(['image', 'prune', '-f']);
    assert.match(docker(['load', '-i', out]), /Loaded image: named:now/);
    assert.equal(docker(['run', '--rm', '--network', 'none', 'named:now']), 'from-docker\n');
  });
});
