// overlay2 on disk, as the seeds describe it, and the mount lifecycle of a container.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
before(async () => {
  d = await startDaemon();
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[]) => d.berthOk(args);
const mounted = (path: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);

describe('overlay2 layout', () => {
  it('stores an image layer as overlay2/<id>/{diff,link} with a short link in l/', () => {
    const top = JSON.parse(ok(['image', 'inspect', 'busybox']))[0].GraphDriver.Data.UpperDir as string;
    const layer = top.replace(/\/diff$/, '');
    assert.ok(existsSync(join(layer, 'diff', 'bin', 'busybox')));
    const short = readFileSync(join(layer, 'link'), 'utf8').trim();
    assert.match(short, /^[A-Z0-9]{26}$/);
    assert.equal(readlinkSync(join(d.dataRoot, 'overlay2', 'l', short)), `../${layer.split('/').pop()}/diff`);
  });

  it('gives a container an -init layer with the mount points and a read-write layer on top', () => {
    const id = ok(['create', '--name', 'layers', 'busybox', 'true']).trim();
    const data = JSON.parse(ok(['inspect', id]))[0].GraphDriver.Data;
    const rw = data.UpperDir.replace(/\/diff$/, '');
    for (const f of ['diff', 'link', 'lower', 'work']) assert.ok(existsSync(join(rw, f)), `${f} is missing`);
    const lower = readFileSync(join(rw, 'lower'), 'utf8');
    assert.match(lower, /^l\/[A-Z0-9]{26}:l\/[A-Z0-9]{26}$/);
    const init = `${rw}-init`;
    assert.equal(data.LowerDir.split(':')[0], `${init}/diff`);
    for (const f of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv', 'dev/console']) {
      assert.ok(lstatSync(join(init, 'diff', f)).isFile(), `${f} is not in the init layer`);
    }
    assert.equal(readlinkSync(join(init, 'diff', 'etc/mtab')), '/proc/mounts');
    // the layer store records the container's layers
    const mounts = join(d.dataRoot, 'image/overlay2/layerdb/mounts', id);
    assert.equal(readFileSync(join(mounts, 'mount-id'), 'utf8'), rw.split('/').pop());
    assert.equal(readFileSync(join(mounts, 'init-id'), 'utf8'), `${rw.split('/').pop()}-init`);
  });

  it('mounts on start, unmounts on stop, and leaves no mount or directory after rm', () => {
    const id = ok(['run', '-d', '--name', 'mnt', 'busybox', 'sh', '-c', 'echo data > /root/file; sleep 300']).trim();
    const data = JSON.parse(ok(['inspect', id]))[0].GraphDriver.Data;
    assert.ok(mounted(data.MergedDir), 'not mounted while running');
    ok(['stop', '-t', '0', 'mnt']);
    assert.ok(!mounted(data.MergedDir), 'still mounted after stop');
    // copy-on-write: the change sits in the container's upper dir only
    assert.equal(readFileSync(join(data.UpperDir, 'root/file'), 'utf8'), 'data\n');
    const imageUpper = JSON.parse(ok(['image', 'inspect', 'busybox']))[0].GraphDriver.Data.UpperDir;
    assert.ok(!existsSync(join(imageUpper, 'root/file')));
    ok(['start', 'mnt']);
    assert.ok(mounted(data.MergedDir));
    ok(['rm', '-f', 'mnt']);
    assert.ok(!mounted(data.MergedDir), 'mount survived rm');
    assert.ok(!existsSync(data.UpperDir.replace(/\/diff$/, '')), 'layer directory survived rm');
    assert.ok(!existsSync(join(d.dataRoot, 'containers', id)), 'container directory survived rm');
    assert.ok(!existsSync(join(d.dataRoot, 'image/overlay2/layerdb/mounts', id)));
  });

  it('writes the container files dockerd writes', () => {
    const id = ok(['create', '--name', 'files', '-h', 'filehost', 'busybox', 'true']).trim();
    ok(['start', 'files']);
    const dir = join(d.dataRoot, 'containers', id);
    assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')).sort(), ['config.v2.json', 'hostconfig.json', 'hostname', 'hosts', 'resolv.conf', `${id}-json.log`].sort());
    assert.equal(readFileSync(join(dir, 'hostname'), 'utf8'), 'filehost\n');
    assert.match(readFileSync(join(dir, 'hosts'), 'utf8'), /^127\.0\.0\.1\tlocalhost\n/);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.v2.json'), 'utf8'));
    assert.equal(cfg.ID, id);
    assert.equal(cfg.Name, '/files');
  });
});
